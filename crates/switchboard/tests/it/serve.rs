//! What needs `serve` as a process: a deploy whose worker posts the
//! result, `config check` and `send`. The rest of the slash-command tests
//! run in-process (tests/e2e/serve.rs).

use std::time::Duration;

use switchboard_core::jobs::{JobStatus, JobStore};
use switchboard_core::state::FileStore;
use switchboard_tests::config::commands as config;
use wiremock::matchers::{body_string_contains, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Served, bin, eventually, fixture, hook_texts, reply};

#[tokio::test]
async fn a_deploy_queues_jenkins_and_the_worker_posts_the_result() {
    let jenkins = MockServer::start().await;
    let slack = MockServer::start().await;
    let base = jenkins.uri();
    Mock::given(method("POST"))
        .and(path("/job/deploy/buildWithParameters"))
        .and(body_string_contains("CLIENT=acme"))
        .and(body_string_contains("BRANCH=feature%2Fx"))
        .respond_with(
            ResponseTemplate::new(201).insert_header("Location", format!("{base}/queue/item/7/")),
        )
        .expect(1)
        .mount(&jenkins)
        .await;
    Mock::given(path("/queue/item/7/api/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("jenkins-queue-waiting.json", &base)),
        )
        .up_to_n_times(1)
        .mount(&jenkins)
        .await;
    Mock::given(path("/queue/item/7/api/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("jenkins-queue-left.json", &base)),
        )
        .mount(&jenkins)
        .await;
    Mock::given(path("/job/deploy/42/api/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("jenkins-build-success.json", &base)),
        )
        .mount(&jenkins)
        .await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;

    // The build reports its test bench; the deploy names an issue, so the
    // worker writes the bench link into it (Jira, faked).
    let jira = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/issue/SHOP-12"))
        .and(wiremock::matchers::body_json(serde_json::json!({
            "fields": {"customfield_10050": "https://bench-42.test.acme.example/"}
        })))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&jira)
        .await;
    let with_bridge = format!(
        "{}\n[[trackers]]\nname = \"jira\"\nkind = \"jira\"\nurl = \"{}\"\n\
         [bridge]\nbench_field = \"customfield_10050\"\n\
         [[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = [\"acme/shop\"]\n",
        config(&base, &slack.uri()),
        jira.uri()
    );
    let served = Served::start(&with_bridge);
    let hook = format!("{}/hook", slack.uri());
    let started = std::time::Instant::now();
    let (status, body) = served
        .command(
            "deploy --client acme --branch feature/x --issue SHOP-12",
            "UANN",
            "COPS",
            &hook,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "answered inside Slack's 3 s"
    );
    let (kind, text) = reply(&body);
    assert_eq!(kind, "in_channel", "{text}");
    assert!(text.contains("Jenkins has queued it"), "{text}");

    let posts = eventually(Duration::from_secs(30), async || {
        let texts = hook_texts(&slack).await;
        texts
            .iter()
            .any(|t| t.contains("succeeded"))
            .then_some(texts)
    })
    .await
    .expect("the worker posted the build result to the response_url within 30 s");
    assert!(posts.len() <= 5, "at most 5 response_url posts: {posts:?}");
    assert!(
        posts
            .iter()
            .any(|t| t.contains("#42") && t.contains("has started")),
        "{posts:?}"
    );
    assert!(
        posts
            .iter()
            .any(|t| t.contains("bench-42.test.acme.example") && t.contains("SHOP-12")),
        "{posts:?}"
    );
    let last = posts.last().expect("a post");
    assert!(
        last.contains("succeeded") && last.contains(&format!("{base}/job/deploy/42/")),
        "{last}"
    );

    let store = FileStore::open(&served.state_path()).expect("state file");
    let record = eventually(Duration::from_secs(5), async || {
        let jobs = JobStore::new(&store).recent(5).await.ok()?;
        jobs.into_iter().find(|j| j.status == JobStatus::Succeeded)
    })
    .await
    .expect("the job record says succeeded");
    assert_eq!(
        (record.command.as_str(), record.requested_by.as_str()),
        ("deploy", "UANN")
    );
    assert_eq!(
        record.link.as_deref(),
        Some(format!("{base}/job/deploy/42/").as_str())
    );

    // `jobs` shows it in the channel it was started in, to anyone there,
    // and to its starter anywhere; nobody else sees it.
    for (user, channel) in [("UBOB", "COPS"), ("UANN", "CGEN")] {
        let (_, text) = reply(&served.command("jobs", user, channel, &hook).await.1);
        assert!(
            text.contains("deploy") && text.contains("succeeded") && text.contains("<@UANN>"),
            "{user} in {channel}: {text}"
        );
    }
    let (_, text) = reply(&served.command("jobs", "UBOB", "CGEN", &hook).await.1);
    assert!(
        !text.contains("deploy") && !text.contains("UANN") && text.contains("No jobs"),
        "{text}"
    );
}

#[test]
fn config_check_names_the_key_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[commands.deploy]\nallow_users = [\"U1\", \"not-a-user\"]\n",
    )
    .expect("write");
    let out = std::process::Command::new(bin())
        .args(["config", "check"])
        .arg(&bad)
        .output()
        .expect("run config check");
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("line 2")
            && err.contains("commands.deploy.allow_users")
            && err.contains("not-a-user"),
        "{err}"
    );

    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../switchboard.example.toml");
    let out = std::process::Command::new(bin())
        .args(["config", "check"])
        .arg(&example)
        .output()
        .expect("run config check");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("is valid"), "{stdout}");
    // The example's Trac is local, so that is the domain Slack must know.
    assert!(
        stdout.contains("unfurl domains for the Slack app manifest: 127.0.0.1"),
        "{stdout}"
    );
}

#[tokio::test]
async fn send_signs_and_prints_the_reply() {
    let served = Served::start(&config("http://127.0.0.1:9", "http://127.0.0.1:9"));
    let addr = served.base.trim_start_matches("http://").to_owned();
    let out = tokio::process::Command::new(bin())
        .args(["send", "/example help deploy", "--addr", &addr])
        .env("SLACK_SIGNING_SECRET", crate::harness::SECRET)
        .output()
        .await
        .expect("run send");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("[ephemeral]") && stdout.contains("--client <CLIENT>"),
        "{stdout}"
    );
}
