//! A Trac stand-in speaking its real JSON-RPC wire format (recorded
//! fixtures), and the `link_shared` events that name its tickets.

use std::path::Path;
use std::time::Duration;

use wiremock::matchers::{body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A recorded Trac response from the trackers crate's fixtures.
pub fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/switchboard-trackers/tests/fixtures/trac")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Trac answering `ticket.get` and `ticket.changeLog` for ticket 1, each
/// after `delay`.
pub async fn server(delay: Duration) -> MockServer {
    let trac = MockServer::start().await;
    for (call, answer) in [
        ("ticket.get", "jsonrpc-ticket.get-1.json"),
        ("ticket.changeLog", "jsonrpc-ticket.changeLog-1.json"),
    ] {
        Mock::given(method("POST"))
            .and(path("/rpc"))
            .and(body_string_contains(call))
            .respond_with(
                ResponseTemplate::new(200)
                    .insert_header("content-type", "application/json")
                    .set_body_string(fixture(answer))
                    .set_delay(delay),
            )
            .mount(&trac)
            .await;
    }
    trac
}

/// A `link_shared` event callback for `links`, posted in C0ROOM.
pub fn link_shared(event_id: &str, links: &[String]) -> String {
    let links: Vec<serde_json::Value> = links
        .iter()
        .map(|l| serde_json::json!({"domain": "127.0.0.1", "url": l}))
        .collect();
    serde_json::json!({
        "token": "unused", "team_id": "T0001", "api_app_id": "A1", "type": "event_callback",
        "event_id": event_id, "event_time": 1_795_000_000,
        "event": {
            "type": "link_shared", "channel": "C0ROOM", "user": "U0ANN",
            "message_ts": "1795000000.000100", "event_ts": "1795000000.000200",
            "unfurl_id": "C0ROOM.1795000000.000100.abc", "source": "conversations_history",
            "links": links
        }
    })
    .to_string()
}
