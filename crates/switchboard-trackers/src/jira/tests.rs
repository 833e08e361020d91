use super::*;
use crate::wire::testing;
use serde_json::json;
use switchboard_core::config::TrackerKind;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const ISSUE: &str = include_str!("../../tests/fixtures/jira/issue.json");

fn jira(api_url: &str) -> Jira {
    let config = testing::config(
        TrackerKind::Jira,
        "https://acme.atlassian.net",
        Some(api_url),
    );
    Jira::new(Site::new(
        reqwest::Client::new(),
        &config,
        Some(Secret::new("dev@acme.example")),
        Some(Secret::new("api-token")),
    ))
}

fn link() -> TicketRef {
    testing::link(TrackerKind::Jira, "SHOP-7", "")
}

#[tokio::test]
async fn fetches_an_issue_and_maps_every_field() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(ISSUE))
        .mount(&server)
        .await;

    let view = jira(&server.uri()).fetch(&link()).await.expect("an issue");

    assert_eq!(
        view.ticket,
        Ticket {
            display_id: "SHOP-7".into(),
            url: "https://acme.atlassian.net/browse/SHOP-7".into(),
            summary: "Checkout rejects addresses with “ß” in the street name".into(),
            status: Some("In Progress".into()),
            kind: Some("Bug".into()),
            priority: Some("High".into()),
            owner: Some("Jürgen Weiß".into()),
            reporter: Some("Mia Chen".into()),
            milestone: Some("2024.5".into()),
            updated_at: Some(1_715_000_000),
            description: "Customers in Germany cannot check out when the street \
                              contains ß.\n\nSteps:\n\n1. Add any item\n2. Enter \
                              Straße 5\nas the street\n\n• Seen by @Mia Chen 👀\n\
                              • See https://acme.atlassian.net/browse/SHOP-3"
                .into(),
        }
    );
    assert_eq!(view.comment, None);

    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.url.path(), "/rest/api/3/issue/SHOP-7");
    let query: Vec<(String, String)> = sent.url.query_pairs().into_owned().collect();
    assert_eq!(query, vec![("fields".to_owned(), FIELDS.to_owned())]);
    // base64("dev@acme.example:api-token")
    assert_eq!(
        sent.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some("Basic ZGV2QGFjbWUuZXhhbXBsZTphcGktdG9rZW4=")
    );
}

#[tokio::test]
async fn the_api_defaults_to_the_site_url() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(ISSUE))
        .mount(&server)
        .await;
    let config = testing::config(TrackerKind::Jira, &format!("{}/jira/", server.uri()), None);
    let client = Jira::new(Site::new(reqwest::Client::new(), &config, None, None));

    let view = client.fetch(&link()).await.expect("an issue");

    assert_eq!(
        view.ticket.url,
        format!("{}/jira/browse/SHOP-7", server.uri())
    );
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests[0].url.path(), "/jira/rest/api/3/issue/SHOP-7");
    assert!(requests[0].headers.get("authorization").is_none());
}

#[tokio::test]
async fn unset_fields_are_null_and_map_to_none() {
    let server = MockServer::start().await;
    let bare = json!({
        "key": "SHOP-8",
        "fields": {
            "summary": "Bare", "status": null, "issuetype": null, "priority": null,
            "assignee": null, "reporter": null, "fixVersions": [], "updated": null,
            "description": null
        }
    });
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(bare))
        .mount(&server)
        .await;

    let view = jira(&server.uri()).fetch(&link()).await.expect("an issue");

    assert_eq!(
        view.ticket,
        Ticket {
            display_id: "SHOP-8".into(),
            url: "https://acme.atlassian.net/browse/SHOP-8".into(),
            summary: "Bare".into(),
            ..Ticket::default()
        }
    );
}

#[tokio::test]
async fn failures_map_to_tracker_errors() {
    testing::check_failures(
        jira,
        &link(),
        &["{\"key\": ", "[]", "{\"key\": \"SHOP-7\"}"],
    )
    .await;
}

#[test]
fn adf_becomes_plain_text() {
    let check = |doc: Value, expected: &str| assert_eq!(adf_text(&doc), expected, "{doc}");
    let text = |t: &str| json!({"type": "text", "text": t});
    let para = |content: Vec<Value>| json!({"type": "paragraph", "content": content});
    let doc = |content: Vec<Value>| json!({"type": "doc", "version": 1, "content": content});

    check(doc(vec![]), "");
    check(
        doc(vec![para(vec![text("one")]), para(vec![text("two")])]),
        "one\n\ntwo",
    );
    check(
        doc(vec![para(vec![
            text("a"),
            json!({"type": "hardBreak"}),
            text("b"),
        ])]),
        "a\nb",
    );
    check(
        doc(vec![
            para(vec![]),
            para(vec![text("  ")]),
            para(vec![text("x")]),
        ]),
        "x",
    );
    check(
        doc(vec![
            json!({"type": "heading", "attrs": {"level": 2}, "content": [text("Title")]}),
        ]),
        "Title",
    );
    check(
        doc(vec![
            json!({"type": "codeBlock", "content": [text("let x = 1;\nx + 1")]}),
        ]),
        "let x = 1;\nx + 1",
    );
    check(
        doc(vec![
            json!({"type": "blockquote", "content": [para(vec![text("quoted")])]}),
        ]),
        "quoted",
    );
    check(
        doc(vec![
            json!({"type": "orderedList", "attrs": {"order": 3}, "content": [
                {"type": "listItem", "content": [para(vec![text("c")])]},
                {"type": "listItem", "content": [para(vec![text("d")])]}
            ]}),
        ]),
        "3. c\n4. d",
    );
    check(
        doc(vec![json!({"type": "bulletList", "content": [
            {"type": "listItem", "content": [
                para(vec![text("outer")]),
                {"type": "bulletList", "content": [
                    {"type": "listItem", "content": [para(vec![text("inner")])]}
                ]}
            ]}
        ]})]),
        "• outer\n• inner",
    );
    check(
        doc(vec![para(vec![
            json!({"type": "mention", "attrs": {"id": "1", "text": "@Ann"}}),
            text(" "),
            json!({"type": "emoji", "attrs": {"shortName": ":tada:"}}),
            text(" "),
            json!({"type": "inlineCard", "attrs": {"url": "https://x.example"}}),
            json!({"type": "status", "attrs": {"text": "DONE"}}),
        ])]),
        "@Ann :tada: https://x.example",
    );
    check(
        doc(vec![
            json!({"type": "table", "content": [
                {"type": "tableRow", "content": [
                    {"type": "tableCell", "content": [para(vec![text("cell 1")])]},
                    {"type": "tableCell", "content": [para(vec![text("cell 2")])]}
                ]}
            ]}),
            json!({"type": "rule"}),
            para(vec![text("after")]),
        ]),
        "cell 1\n\ncell 2\n\nafter",
    );
    check(
        doc(vec![
            json!({"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "m"}}]}),
        ]),
        "",
    );
    check(json!("not a document"), "");
    check(json!({"type": "doc", "content": "not a list"}), "");
}

mod workflow {
    use super::*;
    use wiremock::Request;
    use wiremock::matchers::{body_string, header, method, path, query_param};

    const TRANSITIONS: &str = include_str!("../../tests/fixtures/jira/transitions.json");
    // base64("dev@acme.example:api-token")
    const AUTH: &str = "Basic ZGV2QGFjbWUuZXhhbXBsZTphcGktdG9rZW4=";

    fn header_of<'a>(sent: &'a Request, name: &str) -> Option<&'a str> {
        sent.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The one request the server saw.
    async fn only_request(server: &MockServer) -> Request {
        let mut requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1, "one request");
        requests.remove(0)
    }

    /// A server that answers `verb path` with `status` and `body`, and
    /// only when the credentials are sent.
    async fn answering(verb: &str, at: &str, status: u16, body: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method(verb))
            .and(path(at))
            .and(header("authorization", AUTH))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .expect(1)
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn lists_the_transitions_with_their_destinations() {
        let server = answering(
            "GET",
            "/rest/api/3/issue/SHOP-7/transitions",
            200,
            TRANSITIONS,
        )
        .await;

        let got = jira(&server.uri())
            .transitions("SHOP-7")
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
                t("2", "Close Issue", "In Progress"),
                t("21", "Send to QA", "Ready for Test"),
                t("711", "QA Review", "Closed"),
            ]
        );
        let sent = only_request(&server).await;
        assert_eq!(sent.url.query(), None);
        assert_eq!(header_of(&sent, "accept"), Some("application/json"));
    }

    #[tokio::test]
    async fn unavailable_transitions_are_not_offered() {
        let body = json!({"transitions": [
            {"id": "11", "name": "Start", "to": {"name": "In Progress"}, "isAvailable": false},
            {"id": "21", "name": "Send to QA", "to": {"name": "Ready for Test"}}
        ]});
        let server = answering(
            "GET",
            "/rest/api/3/issue/SHOP-7/transitions",
            200,
            &body.to_string(),
        )
        .await;

        let got = jira(&server.uri())
            .transitions("SHOP-7")
            .await
            .expect("transitions");

        let ids: Vec<&str> = got.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["21"]);
    }

    #[tokio::test]
    async fn reads_the_status_name_asking_for_that_field_only() {
        let body = json!({"id": "10002", "key": "SHOP-7", "fields": {"status": {
            "name": "In Progress", "id": "3",
            "statusCategory": {"key": "indeterminate", "name": "In Progress"}
        }}});
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/rest/api/3/issue/SHOP-7"))
            .and(query_param("fields", "status"))
            .and(header("authorization", AUTH))
            .respond_with(ResponseTemplate::new(200).set_body_string(body.to_string()))
            .expect(1)
            .mount(&server)
            .await;

        let got = jira(&server.uri())
            .status("SHOP-7")
            .await
            .expect("a status");

        assert_eq!(got, "In Progress");
        let sent = only_request(&server).await;
        assert_eq!(sent.url.query(), Some("fields=status"));
    }

    #[tokio::test]
    async fn executes_a_transition_by_its_id() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/rest/api/3/issue/SHOP-7/transitions"))
            .and(header("authorization", AUTH))
            .and(header("content-type", "application/json"))
            .and(body_string(r#"{"transition":{"id":"21"}}"#))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let transition = Transition {
            id: "21".into(),
            name: "Send to QA".into(),
            to: "Ready for Test".into(),
        };

        jira(&server.uri())
            .execute("SHOP-7", &transition)
            .await
            .expect("moved");

        let sent = only_request(&server).await;
        assert_eq!(sent.body, br#"{"transition":{"id":"21"}}"#);
    }

    #[tokio::test]
    async fn sets_one_field_by_its_id() {
        let body = r#"{"fields":{"customfield_10050":"https://ci.example/build/42 “ok”"}}"#;
        let server = MockServer::start().await;
        Mock::given(method("PUT"))
            .and(path("/rest/api/3/issue/SHOP-7"))
            .and(header("authorization", AUTH))
            .and(header("content-type", "application/json"))
            .and(body_string(body))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;

        jira(&server.uri())
            .set_field(
                "SHOP-7",
                "customfield_10050",
                "https://ci.example/build/42 “ok”",
            )
            .await
            .expect("set");

        let sent = only_request(&server).await;
        assert_eq!(sent.url.query(), None);
        assert_eq!(sent.body, body.as_bytes());
    }

    #[tokio::test]
    async fn failures_map_to_tracker_errors() {
        testing::check_workflow_failures(jira).await;
    }

    #[tokio::test]
    async fn unreadable_answers_are_protocol_errors() {
        let status_bodies = [
            "not json",
            "[]",
            r#"{"key": "SHOP-7"}"#,
            r#"{"fields": {}}"#,
            r#"{"fields": {"status": null}}"#,
            r#"{"fields": {"status": {"name": " "}}}"#,
        ];
        for body in status_bodies {
            let server = answering("GET", "/rest/api/3/issue/A-1", 200, body).await;
            let got = jira(&server.uri()).status("A-1").await;
            assert!(
                matches!(got, Err(TrackerError::Protocol(_))),
                "{body}: {got:?}"
            );
        }
        let transition_bodies = [
            "",
            "{}",
            "[]",
            r#"{"transitions": [{"id": "2", "name": "Close"}]}"#,
            r#"{"transitions": [{"id": 2, "name": "Close", "to": {"name": "Closed"}}]}"#,
        ];
        for body in transition_bodies {
            let server = answering("GET", "/rest/api/3/issue/A-1/transitions", 200, body).await;
            let got = jira(&server.uri()).transitions("A-1").await;
            assert!(
                matches!(got, Err(TrackerError::Protocol(_))),
                "{body}: {got:?}"
            );
        }
    }

    #[tokio::test]
    async fn keys_that_could_leave_the_issue_path_are_refused_unsent() {
        testing::check_bad_keys(jira).await;
    }
}
