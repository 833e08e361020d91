//! Jenkins failing while someone deploys: 503, 429 with `Retry-After`, an
//! answer slower than the trigger's budget, and a connection closed without
//! an answer. Each time the person is told inside Slack's 3 s. A refusal
//! starts nothing and is recorded as failed; a lost answer may have queued
//! the build, so it is never called "nothing was deployed": it is recorded
//! as unknown and a worker goes looking for the build.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard_core::config::Config;
use switchboard_core::fakes::{MemoryStore, RecordingRunner};
use switchboard_core::jobs::{JobSpec, JobStatus, JobStore, Work};
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::verify::signed_headers;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::Dispatcher;

const SECRET: &str = "faults-signing-secret";
/// Slack shows an error if the answer takes longer.
const SLACK_DEADLINE: Duration = Duration::from_secs(3);

/// A Jenkins that answers every request with `response`.
async fn jenkins(response: ResponseTemplate) -> (MockServer, String) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let url = server.uri();
    (server, url)
}

/// A port that accepts connections and closes them without a word.
async fn hangs_up() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((socket, _)) = listener.accept().await {
            drop(socket);
        }
    });
    format!("http://{addr}")
}

/// Deploys through a Jenkins at `url`; returns what the person was told,
/// how long it took, what the runner saw and the job's status.
async fn deploy(url: &str) -> (String, Duration, Vec<JobSpec>, JobStatus) {
    let config = Config::parse(
        &format!(
            "[jenkins]\nurl = \"{url}\"\njob = \"deploy\"\n[commands.deploy]\nallow_users = [\"UANN\"]\n"
        ),
        "faults",
    )
    .expect("config");
    let store = Arc::new(MemoryStore::new());
    let runner = Arc::new(RecordingRunner::default());
    let d = Arc::new(Dispatcher::new(
        LiveConfig::fixed(config),
        Secrets {
            slack_signing_secret: Some(Secret::new(SECRET)),
            ..Secrets::default()
        },
        store.clone(),
        runner.clone(),
        reqwest::Client::new().into(),
    ));
    let body = serde_urlencoded::to_string([
        ("team_id", "T1"),
        ("user_id", "UANN"),
        ("channel_id", "COPS"),
        ("command", "/example"),
        ("text", "deploy --client acme --branch main"),
        ("response_url", "https://hooks.slack.com/commands/T1/1/abc"),
    ])
    .expect("form");
    let headers = signed_headers(&Secret::new(SECRET), body.as_bytes());
    let started = Instant::now();
    let reply = d.handle_command(&headers, body.as_bytes()).await;
    let took = started.elapsed();
    let v: serde_json::Value = serde_json::from_str(&reply.body).expect("JSON reply");
    let jobs = JobStore::new(store.as_ref()).recent(5).await.expect("jobs");
    assert_eq!(jobs.len(), 1, "the attempt is on record");
    (
        v["text"].as_str().unwrap_or_default().to_owned(),
        took,
        runner.specs(),
        jobs[0].status,
    )
}

#[tokio::test]
async fn a_failing_jenkins_is_reported_in_time_and_starts_nothing() {
    let (_a, unavailable) = jenkins(ResponseTemplate::new(503)).await;
    let (_b, throttled) =
        jenkins(ResponseTemplate::new(429).insert_header("Retry-After", "120")).await;
    let (_c, slow) = jenkins(
        ResponseTemplate::new(201)
            .insert_header("Location", "http://127.0.0.1:9/queue/item/1/")
            .set_delay(Duration::from_secs(10)),
    )
    .await;
    let dropped = hangs_up().await;
    let refused = [("503", unavailable), ("429 with Retry-After", throttled)];
    let unknown = [
        ("slower than the budget", slow),
        ("a closed connection", dropped),
    ];
    // At once: the slow case alone takes the whole 2 s budget.
    let (a, b, c, d) = tokio::join!(
        deploy(&refused[0].1),
        deploy(&refused[1].1),
        deploy(&unknown[0].1),
        deploy(&unknown[1].1)
    );
    for ((fault, _), (text, took, started, status)) in refused.iter().zip([a, b]) {
        assert!(
            text.contains("nothing was deployed"),
            "{fault}: the person is told: {text}"
        );
        assert!(took < SLACK_DEADLINE, "{fault}: answered after {took:?}");
        assert!(
            started.is_empty(),
            "{fault}: no worker for a build never queued"
        );
        assert_eq!(status, JobStatus::Failed, "{fault}");
    }
    for ((fault, _), (text, took, started, status)) in unknown.iter().zip([c, d]) {
        assert!(
            text.contains("may have been queued") && !text.contains("nothing was deployed"),
            "{fault}: the person is told: {text}"
        );
        assert!(took < SLACK_DEADLINE, "{fault}: answered after {took:?}");
        assert_eq!(status, JobStatus::Unknown, "{fault}");
        assert_eq!(started.len(), 1, "{fault}: a worker goes looking");
        let Work::JenkinsFind { job, params, .. } = &started[0].work else {
            panic!(
                "{fault}: the worker is asked to find the build: {:?}",
                started[0].work
            );
        };
        assert_eq!(job, "deploy");
        assert!(
            params.contains(&("CLIENT".to_owned(), "acme".to_owned())),
            "{params:?}"
        );
    }
}
