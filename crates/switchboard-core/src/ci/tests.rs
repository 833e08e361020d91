use super::*;
use wiremock::matchers::{body_string_contains, header_exists, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A client for the Jenkins stand-in, as every Jenkins test makes it.
pub(super) fn jenkins(server: &MockServer) -> Jenkins {
    Jenkins::new(
        crate::slack::api::http_client(),
        &server.uri(),
        Some(Secret::new("bot")),
        Some(Secret::new("11aa")),
    )
}

#[test]
fn job_paths_cover_folders_and_odd_names() {
    assert_eq!(job_path("deploy"), "job/deploy");
    assert_eq!(job_path("team/deploy app"), "job/team/job/deploy%20app");
}

#[tokio::test]
async fn triggers_then_follows_queue_to_result() {
    let server = MockServer::start().await;
    let base = server.uri();
    Mock::given(method("POST"))
        .and(path("/job/team/job/deploy/buildWithParameters"))
        .and(header_exists("authorization"))
        .and(body_string_contains("CLIENT=acme"))
        .respond_with(
            ResponseTemplate::new(201).insert_header("Location", format!("{base}/queue/item/7/")),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/queue/item/7/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "why": "Waiting for next available executor", "executable": null
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/queue/item/7/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "executable": {"number": 42, "url": format!("{base}/job/team/job/deploy/42/")}
        })))
        .mount(&server)
        .await;
    Mock::given(path("/job/team/job/deploy/42/api/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "building": false, "result": "SUCCESS", "number": 42,
                "description": "Deployed to <a href=\"https://bench-42.test.example/\">https://bench-42.test.example/</a>"
            })))
            .mount(&server)
            .await;
    let j = jenkins(&server);
    let item = j
        .trigger(
            "team/deploy",
            &[
                ("CLIENT".into(), "acme".into()),
                ("BRANCH".into(), "main".into()),
            ],
        )
        .await
        .expect("queued");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let poll = Duration::from_millis(10);
    let build = wait_for_start(&j, &item, poll, deadline)
        .await
        .expect("started");
    let finished = wait_for_finish(&j, &build, poll, deadline)
        .await
        .expect("finished");
    assert_eq!((build.number, finished.result.as_str()), (42, "SUCCESS"));
    assert_eq!(
        finished.reported_url().as_deref(),
        Some("https://bench-42.test.example/")
    );
}

#[tokio::test]
async fn credentials_only_go_to_the_configured_origin() {
    let server = MockServer::start().await;
    Mock::given(path("/queue/item/4/api/json"))
        .and(header_exists("authorization"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"why": "busy"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/queue/item/5/api/json"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let j = jenkins(&server);
    // Jenkins thinks its root is elsewhere; the poll still comes here.
    let item = QueueItem {
        url: "http://jenkins.internal:8080/queue/item/4/".into(),
    };
    assert_eq!(
        j.queue_state(&item).await.expect("state"),
        QueueState::Waiting(Some("busy".into()))
    );
    let gone = QueueItem {
        url: format!("{}/queue/item/5/", server.uri()),
    };
    assert!(matches!(
        j.queue_state(&gone).await,
        Err(CiError::Gone("queue item"))
    ));
}

#[tokio::test]
async fn a_passing_fault_while_polling_is_survived() {
    let server = MockServer::start().await;
    Mock::given(path("/queue/item/3/api/json"))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/queue/item/3/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "executable": {"number": 5, "url": format!("{}/job/x/5/", server.uri())}
        })))
        .mount(&server)
        .await;
    let j = jenkins(&server);
    let item = QueueItem {
        url: format!("{}/queue/item/3/", server.uri()),
    };
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let build = wait_for_start(&j, &item, Duration::from_millis(10), deadline)
        .await
        .expect("started after two 502s");
    assert_eq!(build.number, 5);
}

#[tokio::test]
async fn errors_are_told_apart() {
    let server = MockServer::start().await;
    Mock::given(path("/job/missing/buildWithParameters"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/job/locked/buildWithParameters"))
        .respond_with(ResponseTemplate::new(403))
        .mount(&server)
        .await;
    Mock::given(path("/job/noloc/buildWithParameters"))
        .respond_with(ResponseTemplate::new(201))
        .mount(&server)
        .await;
    let j = jenkins(&server);
    assert!(matches!(
        j.trigger("missing", &[]).await,
        Err(CiError::NoSuchJob(_))
    ));
    assert!(matches!(
        j.trigger("locked", &[]).await,
        Err(CiError::Auth(403))
    ));
    assert!(matches!(
        j.trigger("noloc", &[]).await,
        Err(CiError::Protocol(_))
    ));
    let down = Jenkins::new(
        crate::slack::api::http_client(),
        "http://127.0.0.1:9",
        None,
        None,
    );
    assert!(matches!(
        down.trigger("x", &[]).await,
        Err(CiError::Unreachable(_))
    ));
}

/// The shapes of Jenkins' `/queue/api/json` and job `api/json` with a
/// `tree` of parameters, as its remote API documents them.
#[tokio::test]
async fn a_build_whose_trigger_got_no_answer_is_found_by_its_parameters() {
    let server = MockServer::start().await;
    let params_action = |client: &str| {
        serde_json::json!([{ "_class": "hudson.model.ParametersAction", "parameters": [
            { "_class": "hudson.model.StringParameterValue", "name": "CLIENT", "value": client },
            { "_class": "hudson.model.StringParameterValue", "name": "BRANCH", "value": "main" }
        ]}])
    };
    let job_url = format!("{}/job/deploy/", server.uri());
    Mock::given(path("/queue/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "items": [
                { "url": "queue/item/7/", "inQueueSince": 5_000,
                  "task": { "url": job_url }, "actions": params_action("other") },
                { "url": "queue/item/8/", "inQueueSince": 5_000,
                  "task": { "url": job_url }, "actions": params_action("acme") },
                { "url": "queue/item/9/", "inQueueSince": 1_000,
                  "task": { "url": job_url }, "actions": params_action("beta") }
            ]
        })))
        .mount(&server)
        .await;
    Mock::given(path("/job/deploy/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "builds": [
                { "number": 42, "url": format!("{job_url}42/"), "timestamp": 6_000,
                  "actions": params_action("gamma") },
                { "number": 41, "url": format!("{job_url}41/"), "timestamp": 1_000,
                  "actions": params_action("beta") }
            ]
        })))
        .mount(&server)
        .await;
    let j = jenkins(&server);
    let params = |client: &str| {
        vec![
            ("CLIENT".to_owned(), client.to_owned()),
            ("BRANCH".to_owned(), "main".to_owned()),
        ]
    };
    let found = j
        .find("deploy", &params("acme"), 4_000)
        .await
        .expect("find");
    assert_eq!(
        found,
        Some(Found::Queued(QueueItem {
            url: format!("{}/queue/item/8/", server.uri())
        }))
    );
    let started = j
        .find("deploy", &params("gamma"), 4_000)
        .await
        .expect("find");
    assert!(
        matches!(&started, Some(Found::Started(b)) if b.number == 42),
        "{started:?}"
    );
    // Older than the trigger, or with other parameters: not ours.
    assert_eq!(
        j.find("deploy", &params("beta"), 4_000)
            .await
            .expect("find"),
        None
    );
    assert_eq!(
        j.find("deploy", &params("zeta"), 0).await.expect("find"),
        None
    );
}

#[tokio::test]
async fn a_trigger_without_an_answer_is_unknown_not_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let j = jenkins(&server).with_request_timeout(Duration::from_millis(200));
    let outcome = j.trigger("deploy", &[]).await;
    assert!(matches!(outcome, Err(CiError::Unknown(_))), "{outcome:?}");
    let gateway = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(504))
        .mount(&gateway)
        .await;
    let outcome = jenkins(&gateway).trigger("deploy", &[]).await;
    assert!(matches!(outcome, Err(CiError::Unknown(_))), "{outcome:?}");
}

#[tokio::test]
async fn cancelled_queue_items_and_timeouts_end_the_wait() {
    let server = MockServer::start().await;
    Mock::given(path("/queue/item/1/api/json"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"cancelled": true})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/queue/item/2/api/json"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"why": "busy"})))
        .mount(&server)
        .await;
    let j = jenkins(&server);
    let item = |n| QueueItem {
        url: format!("{}/queue/item/{n}/", server.uri()),
    };
    let fast = Duration::from_millis(10);
    let after = |ms| tokio::time::Instant::now() + Duration::from_millis(ms);
    assert!(matches!(
        wait_for_start(&j, &item(1), fast, after(1000)).await,
        Err(WaitError::Cancelled)
    ));
    assert!(matches!(
        wait_for_start(&j, &item(2), fast, after(50)).await,
        Err(WaitError::TimedOut)
    ));
}
