//! Dangerous commands ask first, and a running job is one live message you
//! can cancel: through `serve`, with a Slack stand-in that records
//! `chat.postMessage`, `chat.update` and `response_url` posts. These run
//! jobs (the worker); Cancel and expiry, which start none, are tested
//! in-process (tests/e2e/jobs_live.rs).

use std::time::Duration;

use serde_json::Value;
use switchboard_core::jobs::{JobRecord, JobStatus};
use switchboard_tests::config::jobs as config;
use switchboard_tests::slack::{TS, bodies, buttons, live_messages as slack};
use switchboard_tests::state::{audit_outcomes, jobs};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Served, eventually, fixture, reply};

/// A process whose command line is exactly `argv` is running.
fn running(argv: &[&str]) -> bool {
    let want = argv.join("\0");
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .any(|c| String::from_utf8_lossy(&c).trim_end_matches('\0') == want)
}

#[tokio::test]
async fn a_prompt_starts_nothing_and_only_the_askers_first_confirm_runs_it() {
    let slack = slack().await;
    let respond = format!("{}/respond", slack.uri());
    let served = Served::start(&config(
        &slack.uri(),
        "[jobs.restore]\ncommand = [\"true\", \"{client}\", \"{from}\"]",
        "",
    ));
    let (status, body) = served
        .command("restore --client acme --from s1", "UANN", "COPS", &respond)
        .await;
    assert_eq!(status, 200);
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    assert!(
        text.contains("restore") && text.contains("acme") && text.contains("s1"),
        "{text}"
    );
    let buttons = buttons(&body);
    let ids: Vec<&str> = buttons.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(ids, ["sb_confirm", "sb_cancel"], "{body}");
    let token = buttons[0].1.clone();
    assert_eq!(token.len(), 32);
    assert!(jobs(&served).await.is_empty(), "the prompt started nothing");

    // Someone else's press (a forwarded payload) and a forged token start nothing.
    assert_eq!(
        served
            .press_answered("UBOB", "sb_confirm", &token, &respond)
            .await,
        200
    );
    let forged = "0".repeat(32);
    assert_eq!(
        served
            .press_answered("UANN", "sb_confirm", &forged, &respond)
            .await,
        200
    );
    assert!(
        jobs(&served).await.is_empty(),
        "refused presses started nothing"
    );

    // A double click: two presses at once, one job.
    let (a, b) = tokio::join!(
        served.press_answered("UANN", "sb_confirm", &token, &respond),
        served.press_answered("UANN", "sb_confirm", &token, &respond),
    );
    assert_eq!((a, b), (200, 200));
    // And a replay a moment later.
    assert_eq!(
        served
            .press_answered("UANN", "sb_confirm", &token, &respond)
            .await,
        200
    );
    let started = eventually(Duration::from_secs(10), async || {
        let jobs = jobs(&served).await;
        jobs.iter()
            .all(|j| j.status.is_finished())
            .then_some(jobs)
            .filter(|j| !j.is_empty())
    })
    .await
    .expect("the confirmed restore ran to its end");
    assert_eq!(started.len(), 1, "confirmed once, started once");
    assert_eq!(started[0].status, JobStatus::Succeeded);
    assert_eq!(started[0].requested_by, "UANN");

    let answers = bodies(&slack, "/respond").await;
    assert!(
        answers.iter().any(|a| a["text"]
            .as_str()
            .is_some_and(|t| t.contains("Only <@UANN>"))),
        "another user is told who may answer: {answers:?}"
    );
    assert!(
        answers.iter().any(|a| a["replace_original"] == true
            && a["text"].as_str().is_some_and(|t| t.contains("expired"))),
        "{answers:?}"
    );
    assert!(
        answers.iter().any(|a| a["replace_original"] == true
            && a["text"]
                .as_str()
                .is_some_and(|t| t.contains("started *restore*"))),
        "the prompt is replaced by what happened: {answers:?}"
    );
    let outcomes = audit_outcomes(&served).await;
    for (command, outcome) in [
        ("restore", "asked"),
        ("button:sb_confirm", "denied"),
        ("button:sb_confirm", "expired"),
        ("button:sb_confirm", "confirmed"),
        ("button:sb_confirm", "duplicate"),
    ] {
        assert!(
            outcomes.iter().any(|(c, o)| c == command && o == outcome),
            "{command} {outcome} in {outcomes:?}"
        );
    }
    assert_eq!(
        outcomes.iter().filter(|(_, o)| o == "confirmed").count(),
        1,
        "{outcomes:?}"
    );
}

/// Starts a long local job and waits until its message is live and its
/// process runs; returns the record.
async fn long_job(served: &Served, slack: &MockServer, argv: &[&str]) -> JobRecord {
    let respond = format!("{}/respond", slack.uri());
    let (_, body) = served
        .command("backup --client acme", "UANN", "COPS", &respond)
        .await;
    let (kind, text) = reply(&body);
    assert_eq!(
        kind, "ephemeral",
        "the channel has the live message: {text}"
    );
    eventually(Duration::from_secs(10), async || {
        running(argv).then_some(())
    })
    .await
    .unwrap_or_else(|| panic!("{argv:?} never started"));
    let record = jobs(served).await.into_iter().next().expect("a job");
    assert_eq!(record.message_ts.as_deref(), Some(TS));
    record
}

/// The job's live message: one post, updates after it, and the last one.
async fn live_message(slack: &MockServer) -> (usize, Vec<Value>) {
    let posts = bodies(slack, "/chat.postMessage").await.len();
    (posts, bodies(slack, "/chat.update").await)
}

#[tokio::test]
async fn a_long_job_cancelled_by_its_button_stops_and_says_who() {
    let slack = slack().await;
    let argv = ["sleep", "417"];
    let served = Served::start(&config(
        &slack.uri(),
        "[jobs.backup]\ncommand = [\"sleep\", \"417\"]",
        "",
    ));
    let record = long_job(&served, &slack, &argv).await;
    // Someone who may neither run backup nor started it cannot cancel it.
    assert_eq!(served.press("UBOB", "sb_job_cancel", &record.sk).await, 200);
    assert!(running(&argv), "a refused cancel stopped nothing");
    assert_eq!(served.press("UANN", "sb_job_cancel", &record.sk).await, 200);
    eventually(Duration::from_secs(10), async || {
        (!running(&argv)).then_some(())
    })
    .await
    .expect("the job's process is gone");
    let after = jobs(&served).await.into_iter().next().expect("a job");
    assert_eq!(after.status, JobStatus::Cancelled);
    assert_eq!(after.cancelled_by.as_deref(), Some("UANN"));

    let (posts, updates) = live_message(&slack).await;
    assert_eq!(posts, 1, "one message for the job's whole life");
    let last = updates.last().expect("the message was updated");
    assert_eq!(last["ts"], TS);
    let text = last["text"].as_str().unwrap_or_default();
    assert!(text.contains("cancelled by <@UANN>"), "{last}");
    assert!(
        !last.to_string().contains("sb_job_cancel"),
        "a cancelled job offers no Cancel: {last}"
    );
    // A cancel after the end changes nothing.
    assert_eq!(served.press("UANN", "sb_job_cancel", &record.sk).await, 200);
    let outcomes = audit_outcomes(&served).await;
    for outcome in ["denied", "cancelled", "too_late"] {
        assert!(
            outcomes
                .iter()
                .any(|(c, o)| c == "button:sb_job_cancel" && o == outcome),
            "{outcome} in {outcomes:?}"
        );
    }
}

#[tokio::test]
async fn jobs_cancel_stops_a_job_and_jobs_shows_who_cancelled_it() {
    let slack = slack().await;
    let argv = ["sleep", "418"];
    let served = Served::start(&config(
        &slack.uri(),
        "[jobs.backup]\ncommand = [\"sleep\", \"418\"]",
        "",
    ));
    let record = long_job(&served, &slack, &argv).await;
    let short = &record.id[..8];
    let respond = format!("{}/respond", slack.uri());
    // UCAT did not start it but may run backup, so may cancel it.
    let (_, body) = served
        .command(&format!("jobs cancel {short}"), "UCAT", "COPS", &respond)
        .await;
    let (_, text) = reply(&body);
    assert!(text.contains("Cancelled job"), "{text}");
    eventually(Duration::from_secs(10), async || {
        (!running(&argv)).then_some(())
    })
    .await
    .expect("the job's process is gone");
    let (_, body) = served.command("jobs", "UANN", "COPS", &respond).await;
    let (_, listed) = reply(&body);
    assert!(
        listed.contains("cancelled") && listed.contains("UCAT"),
        "{listed}"
    );
    let (_, again) = served
        .command(&format!("jobs cancel {short}"), "UANN", "COPS", &respond)
        .await;
    assert!(reply(&again).1.contains("already ended"), "{again}");
}

/// A Jenkins stand-in whose deploy is queued as item 7 and either waits in
/// the queue or runs as build 42 until stopped.
async fn jenkins(running: bool) -> MockServer {
    let jenkins = MockServer::start().await;
    let base = jenkins.uri();
    Mock::given(method("POST"))
        .and(path("/job/deploy/buildWithParameters"))
        .respond_with(
            ResponseTemplate::new(201).insert_header("Location", format!("{base}/queue/item/7/")),
        )
        .expect(1)
        .mount(&jenkins)
        .await;
    let item = if running {
        "jenkins-queue-left.json"
    } else {
        "jenkins-queue-waiting.json"
    };
    Mock::given(method("GET"))
        .and(path("/queue/item/7/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture(item, &base)))
        .mount(&jenkins)
        .await;
    Mock::given(method("GET"))
        .and(path("/job/deploy/42/api/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(fixture("jenkins-build-running.json", &base)),
        )
        .mount(&jenkins)
        .await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&jenkins)
        .await;
    Mock::given(method("POST"))
        .and(path("/job/deploy/42/stop"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&jenkins)
        .await;
    jenkins
}

/// Deploys, waits until the worker follows the build, cancels the job by
/// its button, and gives Jenkins' requests as "METHOD path?query".
async fn deploy_then_cancel(running: bool) -> (Vec<String>, JobRecord, Vec<Value>) {
    let slack = slack().await;
    let jenkins = jenkins(running).await;
    let served = Served::start(&format!(
        "{}\n[jenkins]\nurl = \"{}\"\njob = \"deploy\"\npoll_seconds = 1\ntimeout_minutes = 1\n\
         [commands.deploy]\nallow_users = [\"UANN\"]\n",
        config(&slack.uri(), "", ""),
        jenkins.uri()
    ));
    let respond = format!("{}/respond", slack.uri());
    let (_, body) = served
        .command(
            "deploy --client acme --branch main",
            "UANN",
            "COPS",
            &respond,
        )
        .await;
    assert!(reply(&body).1.contains("Jenkins has queued it"), "{body}");
    let record = eventually(Duration::from_secs(10), async || {
        jobs(&served)
            .await
            .into_iter()
            .find(|j| j.status == JobStatus::Running)
    })
    .await
    .expect("the worker follows the build");
    assert_eq!(served.press("UANN", "sb_job_cancel", &record.sk).await, 200);
    let after = jobs(&served).await.into_iter().next().expect("a job");
    let requests = jenkins
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .map(|r| match r.url.query() {
            Some(q) => format!("POST {}?{q}", r.url.path()),
            None => format!("POST {}", r.url.path()),
        })
        .collect();
    (requests, after, bodies(&slack, "/chat.update").await)
}

#[tokio::test]
async fn a_deploy_cancelled_in_the_queue_leaves_the_queue() {
    let (posts, after, updates) = deploy_then_cancel(false).await;
    assert_eq!(
        posts,
        [
            "POST /job/deploy/buildWithParameters",
            "POST /queue/cancelItem?id=7"
        ]
    );
    assert_eq!(after.status, JobStatus::Cancelled);
    let last = updates.last().expect("the message was updated");
    assert!(
        last["text"]
            .as_str()
            .is_some_and(|t| t.contains("cancelled by <@UANN>")),
        "{last}"
    );
}

#[tokio::test]
async fn a_running_deploy_cancelled_is_stopped_in_jenkins() {
    let (posts, after, _) = deploy_then_cancel(true).await;
    assert_eq!(
        posts,
        [
            "POST /job/deploy/buildWithParameters",
            "POST /job/deploy/42/stop"
        ]
    );
    assert_eq!(
        (after.status, after.cancelled_by.as_deref()),
        (JobStatus::Cancelled, Some("UANN"))
    );
}
