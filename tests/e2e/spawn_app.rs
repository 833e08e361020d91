//! What `spawn_app()` gives a test: the app over the default config, its
//! Slack stand-in, and a job runner that records instead of running.

use switchboard_core::jobs::Work;
use switchboard_tests::slack::{TS, bodies};
use switchboard_tests::state::jobs;
use switchboard_tests::{reply, spawn_app};

#[tokio::test]
async fn a_started_job_reaches_the_runner_and_its_live_message_the_channel() {
    let app = spawn_app().await;
    let (status, body) = app
        .command("backup --client acme", "UANN", "COPS", &app.response_url())
        .await;
    assert_eq!(status, 200, "{body}");

    let started = app.jobs_started();
    assert_eq!(started.len(), 1, "{started:?}");
    assert_eq!(
        (
            started[0].requested_by.as_str(),
            started[0].channel.as_str()
        ),
        ("UANN", "COPS")
    );
    assert_eq!(
        started[0].work,
        Work::Command {
            name: "backup".into(),
            argv: vec!["true".into(), "acme".into()],
        }
    );
    let posts = bodies(&app.slack, "/chat.postMessage").await;
    assert_eq!(posts.len(), 1, "one live message: {posts:?}");
    assert_eq!(posts[0]["channel"], "COPS");
    let record = jobs(&app).await.into_iter().next().expect("a job record");
    assert_eq!(record.id, started[0].id.as_str());
    assert_eq!(record.message_ts.as_deref(), Some(TS));

    // Someone off the allowlist is told so, and nothing more starts.
    let (_, body) = app
        .command("backup --client acme", "UBOB", "COPS", &app.response_url())
        .await;
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    assert!(text.contains("not allowed to run `backup`"), "{text}");
    assert_eq!(app.jobs_started().len(), 1);
}
