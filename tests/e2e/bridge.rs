//! `/webhooks/*` through the app: Jira and Slack faked by wiremock, the
//! provider payloads from the bridge crate's fixtures.

use switchboard_core::edge::hub::sign;
use switchboard_core::secrets::Secret;
use switchboard_tests::config::{STATE, jira_bridge};
use switchboard_tests::jira::{executed, jira, payload as fixture, transitions};
use switchboard_tests::secrets::WEBHOOK_SECRET;
use switchboard_tests::spawn_app_with;
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn config(jira: &str, slack: &str, stuck_note: bool) -> String {
    format!(
        "[slack]\napi_url = \"{slack}\"\n{}{STATE}",
        jira_bridge(
            jira,
            &format!("notify_when_stuck = {stuck_note}\nbench_field = \"customfield_10050\"\n")
        )
    )
}

async fn slack() -> MockServer {
    let slack = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true, "ts": "1.1"})),
        )
        .mount(&slack)
        .await;
    slack
}

async fn notes(slack: &MockServer) -> Vec<String> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter_map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).ok())
        .map(|v| format!("{} {}", v["channel"], v["text"]))
        .collect()
}

fn bitbucket_headers(body: &str, delivery: &str) -> Vec<(&'static str, String)> {
    vec![
        ("x-event-key", "pullrequest:approved".into()),
        ("x-request-uuid", delivery.into()),
        (
            "x-hub-signature",
            sign(&Secret::new(WEBHOOK_SECRET), body.as_bytes()),
        ),
    ]
}

#[tokio::test]
async fn an_approved_bitbucket_pr_moves_the_issue_once() {
    let jira = jira("SHOP-12", transitions()).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), false)).await;
    let body = fixture("bitbucket/pullrequest-approved.json");
    let headers = bitbucket_headers(&body, "5b8f6c7e-0000-4000-8000-000000000001");

    let (status, reply) = served.webhook("/webhooks/bitbucket", &headers, &body).await;
    assert_eq!((status, reply.contains("moved")), (200, true), "{reply}");
    assert_eq!(
        executed(&jira).await,
        [serde_json::json!({"transition": {"id": "21"}})]
    );
    let notes = notes(&slack).await;
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("C0SHOP")
            && notes[0].contains("SHOP-12")
            && notes[0].contains("In Review → Ready for Test"),
        "{notes:?}"
    );

    // Bitbucket redelivers the same event: nothing happens again.
    let (status, reply) = served.webhook("/webhooks/bitbucket", &headers, &body).await;
    assert_eq!(
        (status, reply.contains("already handled")),
        (200, true),
        "{reply}"
    );
    assert_eq!(executed(&jira).await.len(), 1);
}

#[tokio::test]
async fn a_merged_github_pr_finds_the_key_in_its_branch() {
    let jira = jira("SHOP-13", transitions()).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), false)).await;
    let body = fixture("github/pull_request-closed-merged.json");
    let headers = vec![
        ("x-github-event", "pull_request".to_string()),
        (
            "x-github-delivery",
            "72d3162e-cc78-11e3-81ab-4c9367dc0958".into(),
        ),
        (
            "x-hub-signature-256",
            sign(&Secret::new(WEBHOOK_SECRET), body.as_bytes()),
        ),
    ];
    let (status, reply) = served.webhook("/webhooks/github", &headers, &body).await;
    assert_eq!((status, reply.contains("moved")), (200, true), "{reply}");
    assert_eq!(
        executed(&jira).await,
        [serde_json::json!({"transition": {"id": "21"}})]
    );
}

#[tokio::test]
async fn no_transition_to_the_target_is_reported_not_retried() {
    let only_back =
        serde_json::json!([{"id": "31", "name": "Reject", "to": {"name": "Needs improvement"}}]);
    let jira = jira("SHOP-12", only_back).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), true)).await;
    let body = fixture("bitbucket/pullrequest-approved.json");
    let (status, reply) = served
        .webhook(
            "/webhooks/bitbucket",
            &bitbucket_headers(&body, "uuid-2"),
            &body,
        )
        .await;
    assert_eq!(
        status, 200,
        "a 2xx, so the provider does not retry: {reply}"
    );
    assert!(reply.contains("no transition"), "{reply}");
    assert!(executed(&jira).await.is_empty());
    let notes = notes(&slack).await;
    assert!(
        notes.len() == 1 && notes[0].contains("stays in In Review"),
        "{notes:?}"
    );
}

#[tokio::test]
async fn bad_signatures_and_unknown_events_are_told_apart() {
    let served = spawn_app_with(&config("http://127.0.0.1:9", "http://127.0.0.1:9", false)).await;
    let body = fixture("bitbucket/pullrequest-approved.json");
    let mut headers = bitbucket_headers(&body, "uuid-3");
    headers[2].1 = sign(&Secret::new("wrong"), body.as_bytes());
    assert_eq!(
        served
            .webhook("/webhooks/bitbucket", &headers, &body)
            .await
            .0,
        401
    );
    headers.pop();
    assert_eq!(
        served
            .webhook("/webhooks/bitbucket", &headers, &body)
            .await
            .0,
        401
    );
    let push = r#"{"push": {}}"#;
    let headers = vec![
        ("x-event-key", "repo:push".to_string()),
        ("x-request-uuid", "uuid-push".to_string()),
        (
            "x-hub-signature",
            sign(&Secret::new(WEBHOOK_SECRET), push.as_bytes()),
        ),
    ];
    let (status, reply) = served.webhook("/webhooks/bitbucket", &headers, push).await;
    assert_eq!((status, reply.contains("ignored")), (200, true), "{reply}");
}

fn github_headers(event: &str, body: &str, delivery: Option<&str>) -> Vec<(&'static str, String)> {
    let mut headers = vec![
        ("x-github-event", event.to_string()),
        (
            "x-hub-signature-256",
            sign(&Secret::new(WEBHOOK_SECRET), body.as_bytes()),
        ),
    ];
    if let Some(id) = delivery {
        headers.push(("x-github-delivery", id.to_string()));
    }
    headers
}

#[tokio::test]
async fn a_review_from_someone_without_write_access_moves_nothing() {
    let jira = jira("SHOP-14", transitions()).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), true)).await;
    let outsider = fixture("github/pull_request_review-submitted.json")
        .replace("\"COLLABORATOR\"", "\"NONE\"");
    let headers = github_headers("pull_request_review", &outsider, Some("gh-1"));
    let (status, reply) = served
        .webhook("/webhooks/github", &headers, &outsider)
        .await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        reply.contains("not acted on") && reply.contains("NONE"),
        "{reply}"
    );
    assert!(executed(&jira).await.is_empty());
    assert!(notes(&slack).await.is_empty());

    // The same review from a collaborator moves the issue.
    let member = fixture("github/pull_request_review-submitted.json");
    let headers = github_headers("pull_request_review", &member, Some("gh-2"));
    let (status, reply) = served.webhook("/webhooks/github", &headers, &member).await;
    assert_eq!((status, reply.contains("moved")), (200, true), "{reply}");
    assert_eq!(
        executed(&jira).await,
        [serde_json::json!({"transition": {"id": "31"}})]
    );
}

#[tokio::test]
async fn a_bitbucket_approval_from_a_non_reviewer_moves_nothing() {
    let jira = jira("SHOP-12", transitions()).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), false)).await;
    let body = fixture("bitbucket/pullrequest-approved.json")
        .replace("\"REVIEWER\"", "\"PARTICIPANT\"")
        .replace("\"reviewers\": [", "\"reviewers\": [], \"was\": [");
    let headers = bitbucket_headers(&body, "uuid-stranger");
    let (status, reply) = served.webhook("/webhooks/bitbucket", &headers, &body).await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        reply.contains("not one of the pull request's reviewers"),
        "{reply}"
    );
    assert!(executed(&jira).await.is_empty());
}

#[tokio::test]
async fn a_pull_request_from_an_unlisted_repository_moves_nothing() {
    let jira = jira("SHOP-13", transitions()).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), true)).await;
    let body =
        fixture("github/pull_request-closed-merged.json").replace("acme/shop", "mallory/shop");
    let headers = github_headers("pull_request", &body, Some("gh-fork"));
    let (status, reply) = served.webhook("/webhooks/github", &headers, &body).await;
    assert_eq!(status, 200, "{reply}");
    assert!(
        reply.contains("not acted on") && reply.contains("mallory/shop"),
        "{reply}"
    );
    assert!(executed(&jira).await.is_empty());
    assert!(notes(&slack).await.is_empty());
}

#[tokio::test]
async fn a_replayed_body_acts_once_and_a_delivery_needs_its_id() {
    let jira = jira("SHOP-13", transitions()).await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), false)).await;
    let body = fixture("github/pull_request-closed-merged.json");

    let (status, reply) = served
        .webhook(
            "/webhooks/github",
            &github_headers("pull_request", &body, None),
            &body,
        )
        .await;
    assert_eq!(status, 400, "{reply}");
    assert!(reply.contains("x-github-delivery"), "{reply}");
    assert!(executed(&jira).await.is_empty());

    let first = github_headers("pull_request", &body, Some("id-1"));
    let (status, reply) = served.webhook("/webhooks/github", &first, &body).await;
    assert_eq!((status, reply.contains("moved")), (200, true), "{reply}");
    // The same signed body under a fresh id, as a replay would send it.
    let replay = github_headers("pull_request", &body, Some("id-2"));
    let (status, reply) = served.webhook("/webhooks/github", &replay, &body).await;
    assert_eq!(
        (status, reply.contains("already handled")),
        (200, true),
        "{reply}"
    );
    assert_eq!(executed(&jira).await.len(), 1);
}

#[tokio::test]
async fn a_bench_link_is_written_to_the_issue() {
    let jira = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path("/rest/api/3/issue/SHOP-12"))
        .and(header("content-type", "application/json"))
        .and(body_json(serde_json::json!({"fields": {"customfield_10050": "https://bench-12.test.acme.example/"}})))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&jira)
        .await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), false)).await;
    let body = r#"{"issue": "SHOP-12", "url": "https://bench-12.test.acme.example/"}"#;
    let bearer = vec![("authorization", format!("Bearer {WEBHOOK_SECRET}"))];
    let (status, reply) = served.webhook("/webhooks/bench", &bearer, body).await;
    assert_eq!(
        (status, reply.contains("bench link set")),
        (200, true),
        "{reply}"
    );

    let wrong = vec![("authorization", "Bearer nope".to_string())];
    assert_eq!(served.webhook("/webhooks/bench", &wrong, body).await.0, 401);
    let other = r#"{"issue": "OTHER-1", "url": "https://x.example/"}"#;
    assert_eq!(
        served.webhook("/webhooks/bench", &bearer, other).await.0,
        400
    );
    let not_url = r#"{"issue": "SHOP-12", "url": "javascript:alert(1)"}"#;
    assert_eq!(
        served.webhook("/webhooks/bench", &bearer, not_url).await.0,
        400
    );
}

#[tokio::test]
async fn a_tracker_failure_lets_the_redelivery_act() {
    let jira = jira("SHOP-12", transitions()).await;
    // Jira fails the first read (this mock takes precedence once), then behaves.
    Mock::given(method("GET"))
        .and(path("/rest/api/3/issue/SHOP-12"))
        .respond_with(ResponseTemplate::new(500))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&jira)
        .await;
    let slack = slack().await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), false)).await;
    let body = fixture("bitbucket/pullrequest-approved.json");
    let headers = bitbucket_headers(&body, "uuid-flaky");
    let (status, reply) = served.webhook("/webhooks/bitbucket", &headers, &body).await;
    assert_eq!(status, 502, "{reply}");
    assert!(executed(&jira).await.is_empty());
    // Both claims were let go, so the same delivery now moves the issue.
    let (status, reply) = served.webhook("/webhooks/bitbucket", &headers, &body).await;
    assert_eq!((status, reply.contains("moved")), (200, true), "{reply}");
    assert_eq!(executed(&jira).await.len(), 1);
}
