//! A Trello stand-in with one board's actions, and a Slack for the posts.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub const BOARD: &str = "5f1c0ffee0ddba11deadbeef";

/// A createCard action on BOARD made `at` (epoch seconds).
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

/// Trello answering BOARD's actions with `actions`, and a Slack whose
/// `chat.postMessage` says `ok`.
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
