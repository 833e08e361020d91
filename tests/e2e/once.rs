//! Once-promises through the app when deliveries race: a Jira stand-in that
//! keeps its issue's status, so a second move from a stale read is refused
//! the way Jira refuses it (400 for a transition the status no longer has).

use std::sync::{Arc, Mutex};

use switchboard_core::edge::hub::sign;
use switchboard_core::secrets::Secret;
use switchboard_tests::config::{STATE, jira_bridge};
use switchboard_tests::jira::payload as fixture;
use switchboard_tests::secrets::WEBHOOK_SECRET;
use switchboard_tests::spawn_app_with;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// The issue's status, and the transitions Jira accepted.
#[derive(Default)]
struct Issue {
    status: Mutex<String>,
    moves: Mutex<u32>,
}

fn transitions_from(status: &str) -> serde_json::Value {
    if status == "In Review" {
        serde_json::json!([
            {"id": "21", "name": "Approve", "to": {"name": "Ready for Test", "id": "10001"}}
        ])
    } else {
        serde_json::json!([
            {"id": "41", "name": "Reopen", "to": {"name": "In Review", "id": "10000"}}
        ])
    }
}

struct Jira(Arc<Issue>);

impl Respond for Jira {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let mut status = self.0.status.lock().unwrap_or_else(|e| e.into_inner());
        let transitions = req.url.path().ends_with("/transitions");
        match (req.method.as_str(), transitions) {
            ("GET", false) => ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "key": "SHOP-12", "fields": {"status": {"name": *status}}
            })),
            ("GET", true) => ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "transitions": transitions_from(&status) })),
            ("POST", true) => {
                let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
                if body["transition"]["id"] == "21" && *status == "In Review" {
                    *status = "Ready for Test".into();
                    *self.0.moves.lock().unwrap_or_else(|e| e.into_inner()) += 1;
                    // Jira answers slowly, so the racers overlap for real.
                    ResponseTemplate::new(204).set_delay(std::time::Duration::from_millis(200))
                } else {
                    ResponseTemplate::new(400).set_body_json(serde_json::json!({
                        "errorMessages": ["It seems that you have tried to perform a workflow operation (Approve) that is not valid for the current state of this issue (SHOP-12)."]
                    }))
                }
            }
            _ => ResponseTemplate::new(405),
        }
    }
}

#[tokio::test]
async fn concurrent_deliveries_for_one_issue_move_it_once_and_note_it_once() {
    let issue = Arc::new(Issue::default());
    *issue.status.lock().expect("lock") = "In Review".into();
    let jira = MockServer::start().await;
    Mock::given(path("/rest/api/3/issue/SHOP-12"))
        .respond_with(Jira(issue.clone()))
        .mount(&jira)
        .await;
    Mock::given(path("/rest/api/3/issue/SHOP-12/transitions"))
        .respond_with(Jira(issue.clone()))
        .mount(&jira)
        .await;
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true, "ts": "1.1"})),
        )
        .mount(&slack)
        .await;
    let config = format!(
        "[slack]\napi_url = \"{}\"\n{}{STATE}",
        slack.uri(),
        jira_bridge(&jira.uri(), "notify_when_stuck = true\n")
    );
    let served = spawn_app_with(&config).await;
    let body = fixture("bitbucket/pullrequest-approved.json");

    // Eight deliveries at once, each its own delivery and body (an
    // approval from several reviewers, a merge), all for SHOP-12.
    const N: usize = 8;
    let replies = futures_util::future::join_all((0..N).map(|i| {
        let body = format!("{body}{}", " ".repeat(i));
        let served = &served;
        async move {
            let headers = vec![
                ("x-event-key", "pullrequest:approved".to_owned()),
                (
                    "x-request-uuid",
                    format!("5b8f6c7e-0000-4000-8000-00000000010{i}"),
                ),
                (
                    "x-hub-signature",
                    sign(&Secret::new(WEBHOOK_SECRET), body.as_bytes()),
                ),
            ];
            served.webhook("/webhooks/bitbucket", &headers, &body).await
        }
    }))
    .await;

    for (status, reply) in &replies {
        assert_eq!(*status, 200, "no delivery fails: {reply}");
    }
    assert_eq!(
        *issue.moves.lock().expect("lock"),
        1,
        "one move: {replies:?}"
    );
    let notes: Vec<String> = slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .map(|v| v["text"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        notes.len(),
        1,
        "one note, and no false 'stays in' note: {notes:?}"
    );
    assert!(notes[0].contains("In Review → Ready for Test"), "{notes:?}");
}
