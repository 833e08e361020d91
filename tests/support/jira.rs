//! A Jira stand-in for the bridge, and the providers' webhook payloads.

use std::path::Path;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A provider payload from the bridge crate's fixtures, e.g.
/// `github/pull_request-closed-merged.json`.
pub fn payload(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/switchboard-bridge/tests/fixtures")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Jira with `issue` in "In Review" and the given transitions.
pub async fn jira(issue: &str, transitions: serde_json::Value) -> MockServer {
    let jira = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/rest/api/3/issue/{issue}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "key": issue, "fields": {"status": {"name": "In Review"}}
        })))
        .mount(&jira)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/rest/api/3/issue/{issue}/transitions")))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "transitions": transitions })),
        )
        .mount(&jira)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/rest/api/3/issue/{issue}/transitions")))
        .respond_with(ResponseTemplate::new(204))
        .mount(&jira)
        .await;
    jira
}

/// Approve (to "Ready for Test") and Reject (to "Needs improvement").
pub fn transitions() -> serde_json::Value {
    serde_json::json!([
        {"id": "21", "name": "Approve", "to": {"name": "Ready for Test", "id": "10001"}},
        {"id": "31", "name": "Reject", "to": {"name": "Needs improvement", "id": "10002"}}
    ])
}

/// The transitions Jira was asked to make, in order.
pub async fn executed(jira: &MockServer) -> Vec<serde_json::Value> {
    jira.received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.method.as_str() == "POST")
        .filter_map(|r| serde_json::from_slice(&r.body).ok())
        .collect()
}
