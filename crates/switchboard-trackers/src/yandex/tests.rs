use super::*;
use crate::wire::testing;
use switchboard_core::config::TrackerKind;
use switchboard_core::secrets::Secret;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ISSUE: &str = include_str!("../../tests/fixtures/yandex/issue.json");

fn yandex_in(api_url: &str, org_id: &str) -> Yandex {
    let mut config = testing::config(
        TrackerKind::Yandex,
        "https://tracker.yandex.ru/",
        Some(api_url),
    );
    config.org_id = Some(org_id.into());
    Yandex::new(Site::new(
        reqwest::Client::new(),
        &config,
        None,
        Some(Secret::new("y0_oauth-token")),
    ))
}

fn yandex(api_url: &str) -> Yandex {
    yandex_in(api_url, "7654321")
}

fn link() -> TicketRef {
    testing::link(TrackerKind::Yandex, "TREK-9844", "")
}

fn expected() -> Ticket {
    Ticket {
        display_id: "TREK-9844".into(),
        url: "https://tracker.yandex.ru/TREK-9844".into(),
        summary: "Не приходит письмо с подтверждением заказа".into(),
        status: Some("В работе".into()),
        kind: Some("Ошибка".into()),
        priority: Some("Критичный".into()),
        owner: Some("Алексей Петров".into()),
        reporter: Some("Мария Иванова".into()),
        milestone: Some("Релиз 2.4".into()),
        updated_at: Some(1_714_650_000),
        description: "После оплаты картой письмо не уходит.\n\n\
                          1. Оформить заказ\n2. Оплатить картой"
            .into(),
    }
}

async fn serve(body: &str) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn fetches_an_issue_and_maps_every_field() {
    let server = serve(ISSUE).await;

    let view = yandex(&server.uri())
        .fetch(&link())
        .await
        .expect("an issue");

    assert_eq!(view.ticket, expected());
    assert_eq!(view.comment, None);
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.url.path(), "/v3/issues/TREK-9844");
    assert_eq!(sent.url.query(), None);
    let header = |name: &str| sent.headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("authorization"), Some("OAuth y0_oauth-token"));
    assert_eq!(header("x-org-id"), Some("7654321"));
    assert_eq!(header("x-cloud-org-id"), None);
}

#[tokio::test]
async fn a_cloud_organisation_is_named_in_its_own_header() {
    let server = serve(ISSUE).await;

    yandex_in(&server.uri(), "bpf3crucp1v2ab8sd7r4")
        .fetch(&link())
        .await
        .expect("an issue");

    let requests = server.received_requests().await.expect("recording is on");
    let header = |name: &str| requests[0].headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("x-cloud-org-id"), Some("bpf3crucp1v2ab8sd7r4"));
    assert_eq!(header("x-org-id"), None);
}

#[tokio::test]
async fn the_documented_array_answer_is_read_too() {
    let server = serve(&format!("[{ISSUE}]")).await;

    let view = yandex(&server.uri())
        .fetch(&link())
        .await
        .expect("an issue");

    assert_eq!(view.ticket, expected());
}

#[tokio::test]
async fn a_bare_issue_maps_to_empty_fields() {
    let server = serve(r#"{"key": "TREK-1", "summary": "Bare", "assignee": null}"#).await;

    let view = yandex(&server.uri())
        .fetch(&link())
        .await
        .expect("an issue");

    assert_eq!(
        view.ticket,
        Ticket {
            display_id: "TREK-1".into(),
            url: "https://tracker.yandex.ru/TREK-1".into(),
            summary: "Bare".into(),
            ..Ticket::default()
        }
    );
}

#[tokio::test]
async fn failures_map_to_tracker_errors() {
    testing::check_failures(
        yandex,
        &link(),
        &[
            "{\"key\": ",
            "[]",
            "\"TREK-9844\"",
            "{\"summary\": \"no key\"}",
        ],
    )
    .await;
}

#[test]
fn the_org_id_picks_the_header() {
    assert_eq!(org_header("7654321"), "X-Org-ID");
    assert_eq!(org_header("bpf3crucp1v2ab8sd7r4"), "X-Cloud-Org-ID");
    assert_eq!(org_header(""), "X-Cloud-Org-ID");
}

mod workflow {
    use super::*;
    use wiremock::Request;
    use wiremock::matchers::{body_string, header, method, path};

    const TRANSITIONS: &str = include_str!("../../tests/fixtures/yandex/transitions.json");

    fn header_of<'a>(sent: &'a Request, name: &str) -> Option<&'a str> {
        sent.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The one request the server saw, checked for the token and the
    /// Yandex 360 organisation.
    async fn only_request(server: &MockServer) -> Request {
        let mut requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1, "one request");
        let sent = requests.remove(0);
        assert_eq!(
            header_of(&sent, "authorization"),
            Some("OAuth y0_oauth-token")
        );
        assert_eq!(header_of(&sent, "x-org-id"), Some("7654321"));
        assert_eq!(header_of(&sent, "x-cloud-org-id"), None);
        assert_eq!(sent.url.query(), None);
        sent
    }

    /// A server that answers `verb path` with `status` and `body`, and
    /// only when the token and organisation are sent.
    async fn answering(verb: &str, at: &str, status: u16, body: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method(verb))
            .and(path(at))
            .and(header("authorization", "OAuth y0_oauth-token"))
            .and(header("x-org-id", "7654321"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        server
    }

    fn resolve() -> Transition {
        Transition {
            id: "resolve".into(),
            name: "Resolve".into(),
            to: "Resolved".into(),
        }
    }

    #[tokio::test]
    async fn lists_the_transitions_with_their_destinations() {
        let server = answering("GET", "/v3/issues/TREK-9844/transitions", 200, TRANSITIONS).await;

        let got = yandex(&server.uri())
            .transitions("TREK-9844")
            .await
            .expect("transitions");

        let t = |id: &str, name: &str, to: &str| Transition {
            id: id.into(),
            name: name.into(),
            to: to.into(),
        };
        assert_eq!(
            got,
            vec![
                resolve(),
                t("needInfo", "Need info", "Need info"),
                t("close", "Close", "Closed"),
            ]
        );
        let sent = only_request(&server).await;
        assert_eq!(header_of(&sent, "accept"), Some("application/json"));
    }

    #[tokio::test]
    async fn reads_the_status_as_people_see_it() {
        for body in [ISSUE.to_owned(), format!("[{ISSUE}]")] {
            let server = answering("GET", "/v3/issues/TREK-9844", 200, &body).await;

            let got = yandex(&server.uri())
                .status("TREK-9844")
                .await
                .expect("a status");

            assert_eq!(got, "В работе");
            only_request(&server).await;
        }
    }

    #[tokio::test]
    async fn executes_a_transition_with_an_empty_body() {
        for (status, answer) in [(200, TRANSITIONS), (204, "")] {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/v3/issues/TREK-9844/transitions/resolve/_execute"))
                .and(header("authorization", "OAuth y0_oauth-token"))
                .and(header("x-org-id", "7654321"))
                .and(header("content-type", "application/json"))
                .and(body_string("{}"))
                .respond_with(ResponseTemplate::new(status).set_body_string(answer))
                .expect(1)
                .mount(&server)
                .await;

            yandex(&server.uri())
                .execute("TREK-9844", &resolve())
                .await
                .expect("moved");

            let sent = only_request(&server).await;
            assert_eq!(sent.body, b"{}", "HTTP {status}");
        }
    }

    #[tokio::test]
    async fn sets_one_field_by_its_id() {
        let body = r#"{"summary":"Письмо «заказ принят» не уходит"}"#;
        let server = MockServer::start().await;
        Mock::given(method("PATCH"))
            .and(path("/v3/issues/TREK-9844"))
            .and(header("authorization", "OAuth y0_oauth-token"))
            .and(header("x-org-id", "7654321"))
            .and(header("content-type", "application/json"))
            .and(body_string(body))
            .respond_with(ResponseTemplate::new(200).set_body_string(ISSUE))
            .expect(1)
            .mount(&server)
            .await;

        yandex(&server.uri())
            .set_field("TREK-9844", "summary", "Письмо «заказ принят» не уходит")
            .await
            .expect("set");

        let sent = only_request(&server).await;
        assert_eq!(sent.body, body.as_bytes());
    }

    #[tokio::test]
    async fn a_cloud_organisation_is_named_in_its_own_header() {
        let server = MockServer::start().await;
        // The issue for the status, the transitions list for the rest.
        Mock::given(method("GET"))
            .and(path("/v3/issues/TREK-9844"))
            .respond_with(ResponseTemplate::new(200).set_body_string(ISSUE))
            .mount(&server)
            .await;
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(200).set_body_string(TRANSITIONS))
            .mount(&server)
            .await;

        let client = yandex_in(&server.uri(), "bpf3crucp1v2ab8sd7r4");
        let outcomes = testing::workflow_outcomes(&client, "TREK-9844").await;

        let ok: [Result<(), String>; 4] = std::array::from_fn(|_| Ok(()));
        assert_eq!(outcomes, ok);
        let requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 4);
        for sent in &requests {
            assert_eq!(
                header_of(sent, "x-cloud-org-id"),
                Some("bpf3crucp1v2ab8sd7r4")
            );
            assert_eq!(header_of(sent, "x-org-id"), None);
        }
    }

    #[tokio::test]
    async fn failures_map_to_tracker_errors() {
        testing::check_workflow_failures(yandex).await;
    }

    #[tokio::test]
    async fn unreadable_answers_are_protocol_errors() {
        let status_bodies = [
            "not json",
            "[]",
            r#"{"key": "TREK-9844"}"#,
            r#"{"key": "TREK-9844", "status": null}"#,
            r#"{"key": "TREK-9844", "status": {"key": "open"}}"#,
        ];
        for body in status_bodies {
            let server = answering("GET", "/v3/issues/TREK-9844", 200, body).await;
            let got = yandex(&server.uri()).status("TREK-9844").await;
            assert!(
                matches!(got, Err(TrackerError::Protocol(_))),
                "{body}: {got:?}"
            );
        }
        let transition_bodies = [
            "",
            "{}",
            r#"{"transitions": []}"#,
            r#"[{"id": "close", "display": "Close"}]"#,
            r#"[{"id": "close", "to": {"display": "Closed"}}]"#,
            r#"[{"id": "close", "display": "Close", "to": {"key": "closed"}}]"#,
        ];
        for body in transition_bodies {
            let server = answering("GET", "/v3/issues/TREK-9844/transitions", 200, body).await;
            let got = yandex(&server.uri()).transitions("TREK-9844").await;
            assert!(
                matches!(got, Err(TrackerError::Protocol(_))),
                "{body}: {got:?}"
            );
        }
    }

    #[tokio::test]
    async fn keys_that_could_leave_the_issue_path_are_refused_unsent() {
        testing::check_bad_keys(yandex).await;
    }

    #[tokio::test]
    async fn transition_ids_that_could_leave_the_path_are_refused_unsent() {
        let server = MockServer::start().await;
        let client = yandex(&server.uri());
        for id in ["../../issues/TREK-1", "..", "", "close?x", "a/b"] {
            let transition = Transition {
                id: id.into(),
                ..resolve()
            };
            let got = client.execute("TREK-9844", &transition).await;
            assert!(
                matches!(got, Err(TrackerError::Protocol(_))),
                "{id:?}: {got:?}"
            );
        }
        let sent = server.received_requests().await.expect("recording is on");
        assert!(sent.is_empty(), "nothing reaches the tracker: {sent:?}");
    }
}
