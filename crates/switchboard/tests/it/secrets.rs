//! No secret in any log line or reply, on the error paths above all: bad
//! signatures, a tracker that answers 401 and echoes the credentials it was
//! sent, Jenkins and Slack failing with the token in their error pages, and
//! Trello refusing the key and token. `serve` and `poll` log at trace level
//! into a buffer, which is searched for every secret they were given.

use std::process::Command;

use switchboard_core::edge::hub as signature;
use switchboard_core::secrets::Secret;
use switchboard_tests::jira::{jira, payload as fixture, transitions};
use switchboard_tests::secrets::{
    BOT_TOKEN, JENKINS_TOKEN, JENKINS_USER, JIRA_TOKEN, JIRA_USER, SECRET, TRELLO_KEY,
    TRELLO_TOKEN, WEBHOOK_SECRET,
};
use wiremock::matchers::{method, path_regex};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Served, bin};

/// Every secret the processes hold, and the Basic credentials built from
/// the Jira and Jenkins ones (what an echoing server would show).
fn secrets() -> Vec<String> {
    vec![
        SECRET.into(),
        BOT_TOKEN.into(),
        WEBHOOK_SECRET.into(),
        JIRA_TOKEN.into(),
        basic_credentials(JIRA_USER, JIRA_TOKEN),
        TRELLO_KEY.into(),
        TRELLO_TOKEN.into(),
        JENKINS_TOKEN.into(),
        basic_credentials(JENKINS_USER, JENKINS_TOKEN),
    ]
}

/// The Basic credentials reqwest sends for `user` and `token`, as an
/// echoing server would show them.
fn basic_credentials(user: &str, token: &str) -> String {
    let request = reqwest::Client::new()
        .get("http://127.0.0.1:9/")
        .basic_auth(user, Some(token))
        .build()
        .expect("request");
    let header = request.headers()["authorization"]
        .to_str()
        .expect("ascii header");
    header.trim_start_matches("Basic ").to_owned()
}

fn assert_clean(what: &str, text: &str) {
    for secret in secrets() {
        assert!(
            !text.contains(&secret),
            "{what} contains the secret {secret:?}:\n{text}"
        );
    }
}

/// An error page that repeats the credentials it was sent, as a careless
/// server might.
fn echo(status: u16, credentials: &[&str]) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_string(format!("denied: {}", credentials.join(" ")))
}

#[tokio::test]
async fn no_secret_is_logged_or_answered_on_error_paths() {
    // SHOP-13 moves (so the bridge then posts to Slack, which fails);
    // SHOP-12 answers 401 with the credentials in the page.
    let jira = jira("SHOP-13", transitions()).await;
    let jira_basic = basic_credentials(JIRA_USER, JIRA_TOKEN);
    Mock::given(path_regex("^/rest/api/3/issue/SHOP-12"))
        .respond_with(echo(401, &[JIRA_TOKEN, &jira_basic]))
        .mount(&jira)
        .await;
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(echo(500, &[BOT_TOKEN]))
        .mount(&slack)
        .await;
    let jenkins = MockServer::start().await;
    let jenkins_basic = basic_credentials(JENKINS_USER, JENKINS_TOKEN);
    Mock::given(method("POST"))
        .respond_with(echo(500, &[JENKINS_TOKEN, &jenkins_basic]))
        .mount(&jenkins)
        .await;
    let served = Served::capturing(&switchboard_tests::config::every_route(
        &jira.uri(),
        &slack.uri(),
        &jenkins.uri(),
    ));
    let mut replies = Vec::new();

    // Slack requests with bad signatures, then a deploy Jenkins fails.
    let body = "team_id=T1&user_id=UANN&channel_id=C1&command=%2Fexample&text=help&response_url=https%3A%2F%2Fx";
    let now = switchboard_core::clock::now_secs();
    replies.push(served.post_signed(body, now, "v0=00").await);
    replies.push(served.post_signed(body, now - 900, "v0=00").await);
    let (status, text) = served
        .command(
            "deploy --client acme --branch main",
            "UANN",
            "C0OPS",
            "https://hooks.slack.com/commands/T0001/1/abc",
        )
        .await;
    assert!(
        status == 200 && text.contains("Jenkins could not queue the build"),
        "{text}"
    );
    replies.push((status, text));

    // An unfurl whose tracker refuses the token.
    let event = serde_json::json!({
        "type": "event_callback", "team_id": "T0001", "event_id": "EvSecrets",
        "event": {
            "type": "link_shared", "channel": "C0ROOM", "user": "UANN",
            "message_ts": "1795000000.000100",
            "links": [{"domain": "127.0.0.1", "url": format!("{}/browse/SHOP-12", jira.uri())}]
        }
    })
    .to_string();
    replies.push(served.event(&event, None).await);

    // Webhooks: a bad signature, a move Jira refuses, a move whose Slack
    // note fails, and a bench link Jira refuses.
    let hub = |body: &str| signature::sign(&Secret::new(WEBHOOK_SECRET), body.as_bytes());
    let bitbucket = fixture("bitbucket/pullrequest-approved.json");
    let wrong = signature::sign(&Secret::new("wrong"), bitbucket.as_bytes());
    for (signed, delivery) in [(wrong, "secrets-1"), (hub(&bitbucket), "secrets-2")] {
        let headers = [
            ("x-event-key", "pullrequest:approved".to_owned()),
            ("x-request-uuid", delivery.to_owned()),
            ("x-hub-signature", signed),
        ];
        replies.push(
            served
                .webhook("/webhooks/bitbucket", &headers, &bitbucket)
                .await,
        );
    }
    let github = fixture("github/pull_request-closed-merged.json");
    let headers = [
        ("x-github-event", "pull_request".to_owned()),
        ("x-github-delivery", "secrets-3".to_owned()),
        ("x-hub-signature-256", hub(&github)),
    ];
    let (status, text) = served.webhook("/webhooks/github", &headers, &github).await;
    assert!(status == 200 && text.contains("moved"), "{text}");
    replies.push((status, text));
    let bench = r#"{"issue": "SHOP-12", "url": "https://bench.example/12"}"#;
    replies.push(
        served
            .webhook(
                "/webhooks/bench",
                &[("authorization", format!("Bearer {WEBHOOK_SECRET}x"))],
                bench,
            )
            .await,
    );
    let (status, text) = served
        .webhook(
            "/webhooks/bench",
            &[("x-hub-signature-256", hub(bench))],
            bench,
        )
        .await;
    assert_eq!(status, 502, "{text}");
    replies.push((status, text));

    let statuses: Vec<u16> = replies.iter().map(|(s, _)| *s).collect();
    assert_eq!(statuses, [401, 401, 200, 200, 401, 502, 200, 401, 502]);
    for (status, text) in &replies {
        assert_clean(&format!("a {status} reply"), text);
    }
    // The error paths ran and were logged; only then is a clean log proof.
    let log = served.log();
    for line in [
        "rejected a request with a bad Slack signature",
        "Jenkins did not queue the build",
        "could not move the issue",
        "could not post the note to Slack",
        "rejected a webhook",
        "could not set the bench link",
    ] {
        assert!(log.contains(line), "the log lacks {line:?}:\n{log}");
    }
    assert_clean("serve's log", &log);
}

#[tokio::test]
async fn trello_refusing_the_key_and_token_logs_neither() {
    let trello = MockServer::start().await;
    Mock::given(path_regex("^/1/"))
        .respond_with(echo(401, &[TRELLO_KEY, TRELLO_TOKEN]))
        .mount(&trello)
        .await;
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(echo(500, &[BOT_TOKEN]))
        .mount(&slack)
        .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config_path = dir.path().join("switchboard.toml");
    let board = "5f1c0ffee0ddba11deadbeef";
    std::fs::write(
        &config_path,
        format!(
            r#"
[slack]
api_url = "{}"
[[trackers]]
name = "trello"
kind = "trello"
url = "https://trello.com"
api_url = "{}"
[[poller.subscriptions]]
board = "{board}"
channel = "C0TEAM"
[state]
path = "state.jsonl"
"#,
            slack.uri(),
            trello.uri()
        ),
    )
    .expect("config");
    // A cursor, so the run reads the board instead of starting from now.
    std::fs::write(
        dir.path().join("state.jsonl"),
        format!(
            "{{\"pk\":\"trello#{board}#C0TEAM\",\"sk\":\"cursor\",\"v\":\"{:08x}0000000000000000\"}}\n",
            switchboard_core::clock::now_secs() - 60
        ),
    )
    .expect("state");
    let out = Command::new(bin())
        .args(["poll", "--once", "--config"])
        .arg(&config_path)
        .current_dir(dir.path())
        .env("SLACK_BOT_TOKEN", BOT_TOKEN)
        .env("TRACKER_TRELLO_USER", TRELLO_KEY)
        .env("TRACKER_TRELLO_TOKEN", TRELLO_TOKEN)
        .env("RUST_LOG", "trace")
        .output()
        .expect("run poll");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !trello
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "Trello was asked"
    );
    assert!(
        stderr.contains("reading the board's actions failed"),
        "{stderr}"
    );
    assert_clean("poll's stdout", &stdout);
    assert_clean("poll's log", &stderr);
}
