//! Slack stand-ins and readers of what they were sent.

use serde_json::Value;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The message ts the stand-ins give every post.
pub const TS: &str = "1700000000.000100";

/// A Slack that answers `chat.postMessage` and `chat.update` in COPS with
/// `TS`, and takes posts to its `/respond` response_url.
pub async fn live_messages() -> MockServer {
    let slack = MockServer::start().await;
    for method_path in ["/chat.postMessage", "/chat.update"] {
        Mock::given(method("POST"))
            .and(path(method_path))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": true, "channel": "COPS", "ts": TS})),
            )
            .mount(&slack)
            .await;
    }
    Mock::given(method("POST"))
        .and(path("/respond"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    slack
}

/// A Slack whose `chat.unfurl` says `ok`.
pub async fn unfurls() -> MockServer {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.unfurl"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&slack)
        .await;
    slack
}

/// The JSON bodies `slack` received at `at`, in order; others are skipped.
pub async fn bodies(slack: &MockServer, at: &str) -> Vec<Value> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == at)
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect()
}

/// The `chat.unfurl` calls so far.
pub async fn unfurl_calls(slack: &MockServer) -> Vec<Value> {
    bodies(slack, "/chat.unfurl").await
}

/// The `chat.postMessage` calls so far; each must be JSON.
pub async fn posted(slack: &MockServer) -> Vec<Value> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/chat.postMessage")
        .map(|r| serde_json::from_slice(&r.body).expect("JSON post"))
        .collect()
}

/// A reply's buttons: (action id, value) each.
pub fn buttons(body: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(body).expect("JSON reply");
    v["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|b| b["elements"].as_array().cloned().unwrap_or_default())
        .filter(|e| e["type"] == "button")
        .map(|e| {
            (
                e["action_id"].as_str().unwrap_or_default().to_owned(),
                e["value"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}
