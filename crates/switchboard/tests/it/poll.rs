//! `switchboard poll --once`, with Trello and Slack faked by wiremock. The
//! poller `serve` runs on its schedule is tested in-process
//! (tests/e2e/poll.rs).

use std::process::Command;

use switchboard_core::clock::now_secs;
use switchboard_tests::config::poller as config;
use switchboard_tests::secrets::{TRELLO_KEY, TRELLO_TOKEN};
use switchboard_tests::slack::posted;
use switchboard_tests::trello::{BOARD, created, fakes};

use crate::harness::bin;

#[tokio::test]
async fn poll_once_posts_what_is_new_since_the_cursor_and_never_logs_the_token() {
    let start = now_secs() - 600;
    let (trello, slack) = fakes(serde_json::json!([
        created(start + 2, 2),
        created(start + 1, 1)
    ]))
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let config_path = dir.path().join("switchboard.toml");
    std::fs::write(&config_path, config(&trello.uri(), &slack.uri(), 60)).expect("config");
    // The subscription's cursor, as an earlier run left it.
    std::fs::write(
        dir.path().join("state.jsonl"),
        format!(
            "{{\"pk\":\"trello#{BOARD}#C0TEAM\",\"sk\":\"cursor\",\"v\":\"{start:08x}0000000000000000\"}}\n"
        ),
    )
    .expect("state");

    let out = Command::new(bin())
        .args(["poll", "--once", "--config"])
        .arg(&config_path)
        .current_dir(dir.path())
        .env("SLACK_BOT_TOKEN", "xoxb-integration")
        .env("TRACKER_TRELLO_USER", TRELLO_KEY)
        .env("TRACKER_TRELLO_TOKEN", TRELLO_TOKEN)
        .env("RUST_LOG", "trace")
        .output()
        .expect("run poll");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("2 action(s) posted in 2 message(s)"),
        "{stdout}"
    );

    let posts = posted(&slack).await;
    assert_eq!(posts.len(), 2);
    assert!(
        posts[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("Card 1")),
        "oldest first"
    );
    assert_eq!(posts[0]["channel"], "C0TEAM");
    assert_eq!(posts[0]["metadata"]["event_type"], "switchboard_trello");
    let sent = &trello.received_requests().await.expect("recorded")[0];
    assert!(sent.url.query().is_some_and(|q| q.contains(TRELLO_TOKEN)));
    assert!(
        !stderr.contains(TRELLO_TOKEN) && !stderr.contains(TRELLO_KEY),
        "{stderr}"
    );

    // A second pass finds both posted and sends nothing.
    let again = Command::new(bin())
        .args(["poll", "--once", "--config"])
        .arg(&config_path)
        .current_dir(dir.path())
        .env("SLACK_BOT_TOKEN", "xoxb-integration")
        .env("TRACKER_TRELLO_USER", TRELLO_KEY)
        .env("TRACKER_TRELLO_TOKEN", TRELLO_TOKEN)
        .output()
        .expect("run poll again");
    assert!(again.status.success());
    assert_eq!(posted(&slack).await.len(), 2);
}

#[tokio::test]
async fn poll_without_trello_credentials_names_the_variables_and_fails() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_path = dir.path().join("switchboard.toml");
    std::fs::write(
        &config_path,
        config("http://127.0.0.1:9", "http://127.0.0.1:9", 60),
    )
    .expect("config");
    let out = Command::new(bin())
        .args(["poll", "--once", "--config"])
        .arg(&config_path)
        .current_dir(dir.path())
        .env_remove("TRACKER_TRELLO_USER")
        .env_remove("TRACKER_TRELLO_TOKEN")
        .output()
        .expect("run poll");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("TRACKER_TRELLO_USER") && stderr.contains("TRACKER_TRELLO_TOKEN"),
        "{stderr}"
    );
}
