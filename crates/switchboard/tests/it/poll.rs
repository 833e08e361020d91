//! `switchboard poll --once` and the poller `serve` runs on its schedule,
//! with Trello and Slack faked by wiremock.

use std::process::Command;
use std::time::Duration;

use switchboard_core::clock::now_secs;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Served, bin, eventually};

pub const TRELLO_KEY: &str = "integration-trello-key-0000000001";
pub const TRELLO_TOKEN: &str = "integration-trello-token-00000000000000000002";
pub const BOARD: &str = "5f1c0ffee0ddba11deadbeef";

fn config(trello: &str, slack: &str, every_seconds: u64) -> String {
    format!(
        r#"
[slack]
api_url = "{slack}"
[[trackers]]
name = "trello"
kind = "trello"
url = "https://trello.com"
api_url = "{trello}"
[poller]
every_seconds = {every_seconds}
post_interval_ms = 0
[[poller.subscriptions]]
board = "{BOARD}"
channel = "C0TEAM"
[state]
path = "state.jsonl"
"#
    )
}

/// A createCard action made `at` (epoch seconds).
pub fn created(at: i64, n: u32) -> serde_json::Value {
    serde_json::json!({
        "id": format!("{at:08x}0000000000{n:06x}"),
        "type": "createCard",
        "data": {
            "board": { "id": BOARD, "name": "Website" },
            "card": { "id": "6630a1e2f3b4c5d6e7f80912", "name": format!("Card {n}"), "shortLink": "pLmNb2Qa" },
            "list": { "id": "l1", "name": "To Do" }
        },
        "memberCreator": { "fullName": "Ann Example", "username": "ann" }
    })
}

pub async fn fakes(actions: serde_json::Value) -> (MockServer, MockServer) {
    let trello = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/1/boards/{BOARD}/actions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(actions))
        .mount(&trello)
        .await;
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "ok": true, "ts": "1.000100" })),
        )
        .mount(&slack)
        .await;
    (trello, slack)
}

async fn posted(slack: &MockServer) -> Vec<serde_json::Value> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/chat.postMessage")
        .map(|r| serde_json::from_slice(&r.body).expect("JSON post"))
        .collect()
}

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

#[tokio::test]
async fn serve_runs_the_poller_on_its_schedule() {
    // Made a few seconds from now: the first pass starts the subscription
    // from now, a later one finds this action and posts it.
    let (trello, slack) = fakes(serde_json::json!([created(now_secs() + 2, 1)])).await;
    let _served = Served::start(&config(&trello.uri(), &slack.uri(), 1));
    let got = eventually(Duration::from_secs(15), async || {
        let posts = posted(&slack).await;
        (!posts.is_empty()).then_some(posts)
    })
    .await
    .expect("serve polled and posted");
    assert_eq!(got.len(), 1);
    assert!(
        got[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("created"))
    );
}
