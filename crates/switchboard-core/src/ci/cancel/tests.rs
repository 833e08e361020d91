use super::*;
use crate::ci::CiServer as _;
use crate::ci::tests::jenkins;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// Jenkins' queue item `api/json` with this body.
async fn queue_item(server: &MockServer, n: u64, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path(format!("/queue/item/{n}/api/json")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

/// Jenkins' build `api/json` for build 42 of `deploy`.
async fn build_42(server: &MockServer, building: bool) {
    let result = if building { None } else { Some("SUCCESS") };
    Mock::given(method("GET"))
        .and(path("/job/deploy/42/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "building": building, "result": result, "number": 42
        })))
        .mount(server)
        .await;
}

/// Expects `n` POSTs to build 42's stop, answered as Jenkins does.
async fn stop_42(server: &MockServer, n: u64) {
    Mock::given(method("POST"))
        .and(path("/job/deploy/42/stop"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/job/deploy/42/"))
        .expect(n)
        .mount(server)
        .await;
    Mock::given(method("GET"))
        .and(path("/job/deploy/42/"))
        .respond_with(ResponseTemplate::new(200))
        .mount(server)
        .await;
}

#[test]
fn links_are_told_apart() {
    assert_eq!(queue_item_id("https://ci/queue/item/7/"), Some(7));
    assert_eq!(queue_item_id("https://ci/queue/item/7"), Some(7));
    assert_eq!(queue_item_id("https://ci/job/deploy/42/"), None);
    assert_eq!(build_number("https://ci/job/deploy/42/"), Some(42));
}

#[tokio::test]
async fn a_waiting_queue_item_is_removed_from_the_queue() {
    let server = MockServer::start().await;
    queue_item(&server, 7, serde_json::json!({"why": "busy"})).await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .and(query_param("id", "7"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let link = format!("{}/queue/item/7/", server.uri());
    let outcome = jenkins(&server).cancel(&link).await.expect("cancel");
    assert_eq!(outcome, CancelOutcome::Dequeued);
}

/// Older Jenkins redirects to a page that does not exist, or answers
/// 404 itself; the item then shows it was cancelled.
#[tokio::test]
async fn older_jenkins_answers_to_cancel_item_count_as_done() {
    let server = MockServer::start().await;
    queue_item(&server, 8, serde_json::json!({"why": "busy"})).await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .and(query_param("id", "8"))
        .respond_with(ResponseTemplate::new(302).insert_header("Location", "/queue/gone"))
        .expect(1)
        .mount(&server)
        .await;
    let j = jenkins(&server);
    let link = format!("{}/queue/item/8/", server.uri());
    assert_eq!(
        j.cancel(&link).await.expect("cancel"),
        CancelOutcome::Dequeued
    );

    Mock::given(method("GET"))
        .and(path("/queue/item/9/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"why": "busy"})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    queue_item(&server, 9, serde_json::json!({"cancelled": true})).await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .and(query_param("id", "9"))
        .respond_with(ResponseTemplate::new(404))
        .expect(1)
        .mount(&server)
        .await;
    let link = format!("{}/queue/item/9/", server.uri());
    assert_eq!(
        j.cancel(&link).await.expect("cancel"),
        CancelOutcome::Dequeued
    );
}

#[tokio::test]
async fn a_queue_item_that_started_has_its_build_aborted() {
    let server = MockServer::start().await;
    let build_url = format!("{}/job/deploy/42/", server.uri());
    queue_item(
        &server,
        7,
        serde_json::json!({"executable": {"number": 42, "url": build_url}}),
    )
    .await;
    build_42(&server, true).await;
    stop_42(&server, 1).await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    let link = format!("{}/queue/item/7/", server.uri());
    let outcome = jenkins(&server).cancel(&link).await.expect("cancel");
    assert_eq!(
        outcome,
        CancelOutcome::Aborted(Build {
            number: 42,
            url: build_url
        })
    );
}

#[tokio::test]
async fn a_running_build_is_aborted() {
    let server = MockServer::start().await;
    build_42(&server, true).await;
    stop_42(&server, 1).await;
    let link = format!("{}/job/deploy/42/", server.uri());
    let outcome = jenkins(&server).cancel(&link).await.expect("cancel");
    assert!(
        matches!(&outcome, CancelOutcome::Aborted(b) if b.number == 42),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn what_has_ended_is_left_alone() {
    let server = MockServer::start().await;
    build_42(&server, false).await;
    stop_42(&server, 0).await;
    queue_item(&server, 3, serde_json::json!({"cancelled": true})).await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .respond_with(ResponseTemplate::new(204))
        .expect(0)
        .mount(&server)
        .await;
    let j = jenkins(&server);
    let build = format!("{}/job/deploy/42/", server.uri());
    assert_eq!(
        j.cancel(&build).await.expect("cancel"),
        CancelOutcome::AlreadyFinished
    );
    let item = format!("{}/queue/item/3/", server.uri());
    assert_eq!(
        j.cancel(&item).await.expect("cancel"),
        CancelOutcome::AlreadyFinished
    );
}

#[tokio::test]
async fn jenkins_failing_is_an_error() {
    let server = MockServer::start().await;
    queue_item(&server, 7, serde_json::json!({"why": "busy"})).await;
    Mock::given(method("POST"))
        .and(path("/queue/cancelItem"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    build_42(&server, true).await;
    Mock::given(method("POST"))
        .and(path("/job/deploy/42/stop"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/job/deploy/43/api/json"))
        .respond_with(ResponseTemplate::new(502))
        .mount(&server)
        .await;
    let j = jenkins(&server);
    let item = format!("{}/queue/item/7/", server.uri());
    let outcome = j.cancel(&item).await;
    assert!(matches!(outcome, Err(CiError::Status(500))), "{outcome:?}");
    let running = format!("{}/job/deploy/42/", server.uri());
    let outcome = j.cancel(&running).await;
    assert!(matches!(outcome, Err(CiError::Status(503))), "{outcome:?}");
    let unread = format!("{}/job/deploy/43/", server.uri());
    let outcome = j.cancel(&unread).await;
    assert!(matches!(outcome, Err(CiError::Status(502))), "{outcome:?}");
}
