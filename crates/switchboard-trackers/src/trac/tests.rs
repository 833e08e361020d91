use std::time::Duration;

use switchboard_core::config::{TrackerConfig, TrackerKind};
use wiremock::matchers::{
    basic_auth, body_partial_json, body_string_contains, header, method, path, query_param,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::*;
use crate::Comment;

const GET_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.get-1.json");
const LOG_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.changeLog-1.json");
const MISSING_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.get-999.json");
const GET_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.get-1.xml");
const LOG_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.changeLog-1.xml");
const MISSING_XML: &str =
    include_str!("../../tests/fixtures/trac/xmlrpc-ticket.get-999-missing.xml");
const EXPORT_CSV: &str = include_str!("../../tests/fixtures/trac/export-ticket-1.csv");
const EXPORT_RSS: &str = include_str!("../../tests/fixtures/trac/export-ticket-1.rss.xml");

/// 2026-09-01 at the given UTC time, as epoch seconds.
fn at(hour: i64, minute: i64) -> i64 {
    1_788_220_800 + hour * 3600 + minute * 60
}

fn config(url: &str, api_url: Option<String>, mode: TracMode) -> TrackerConfig {
    TrackerConfig {
        name: "trac".into(),
        kind: TrackerKind::Trac,
        url: url.into(),
        api_url,
        trac_mode: mode,
        org_id: None,
    }
}

/// A client whose links point at the public host while requests go to
/// the fake, as `api_url` allows.
fn trac(server: &MockServer, mode: TracMode, credentials: bool) -> Trac {
    let (user, token) = if credentials {
        (Some(Secret::new("bot")), Some(Secret::new("s3cret")))
    } else {
        (None, None)
    };
    let config = config(
        "https://trac.example.com/acme/",
        Some(format!("{}/acme/", server.uri())),
        mode,
    );
    Trac::new(Site::new(
        switchboard_core::slack::api::http_client(),
        &config,
        user,
        token,
    ))
}

fn link(key: &str, comment: Option<u32>) -> TicketRef {
    TicketRef {
        tracker: "trac".into(),
        kind: TrackerKind::Trac,
        key: key.into(),
        project: String::new(),
        comment,
        url: format!("https://trac.example.com/acme/ticket/{key}"),
    }
}

fn expected_ticket(updated_at: Option<i64>) -> Ticket {
    Ticket {
        display_id: "#1".into(),
        url: "https://trac.example.com/acme/ticket/1".into(),
        summary: "Checkout page times out for EU customers \u{2014} \u{201c}Zahlung\u{201d} step"
            .into(),
        status: Some("accepted".into()),
        kind: Some("defect".into()),
        priority: Some("blocker".into()),
        owner: Some("alice".into()),
        reporter: Some("bob".into()),
        milestone: Some("milestone1".into()),
        updated_at,
        description: "When paying with SEPA the page hangs.\n\nTimeoutError: 30s\nSee also #2."
            .into(),
    }
}

fn comment(number: u32, author: &str, at: i64, text: &str) -> Option<Comment> {
    Some(Comment {
        number,
        author: author.into(),
        at: Some(at),
        text: text.into(),
    })
}

fn no_auth(req: &Request) -> bool {
    !req.headers.contains_key("authorization")
}

/// Answers one JSON-RPC method on `/acme/rpc` (no credentials).
async fn json_rpc(server: &MockServer, rpc: &str, id: u32, body: &str) {
    Mock::given(method("POST"))
        .and(path("/acme/rpc"))
        .and(header("content-type", "application/json"))
        .and(body_partial_json(
            serde_json::json!({ "method": rpc, "params": [id] }),
        ))
        .and(no_auth)
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
        .mount(server)
        .await;
}

/// Answers one XML-RPC method on `/acme/login/rpc` (basic auth).
async fn xml_rpc(server: &MockServer, rpc: &str, id: u32, body: &str) {
    Mock::given(method("POST"))
        .and(path("/acme/login/rpc"))
        .and(header("content-type", "text/xml"))
        .and(basic_auth("bot", "s3cret"))
        .and(body_string_contains(format!(
            "<methodName>{rpc}</methodName>"
        )))
        .and(body_string_contains(format!("<int>{id}</int>")))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/xml"))
        .mount(server)
        .await;
}

async fn export(server: &MockServer, format: &str, body: &str, expect: u64) {
    Mock::given(method("GET"))
        .and(path("/acme/ticket/1"))
        .and(query_param("format", format))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/plain;charset=utf-8"))
        .expect(expect)
        .mount(server)
        .await;
}

/// The comments of ticket 1 as both RPC encodings report them.
fn rpc_comments() -> Vec<(u32, Option<Comment>)> {
    vec![
        (
            1,
            comment(1, "carol", at(9, 40), "I can reproduce this on staging."),
        ),
        (
            2,
            comment(
                2,
                "dave",
                at(9, 50),
                "Raising priority: 14 tickets from support today (edited).",
            ),
        ),
        (
            3,
            comment(
                3,
                "alice",
                at(10, 0),
                "Replying to carol:\n> I can reproduce this on staging.\nConfirmed, it is the SEPA mandate call.",
            ),
        ),
        (4, comment(4, "alice", at(10, 10), "")),
        (9, None),
    ]
}

async fn check_comments(
    client: &Trac,
    table: Vec<(u32, Option<Comment>)>,
    updated_at: Option<i64>,
) {
    for (n, want) in table {
        let view = client
            .fetch(&link("1", Some(n)))
            .await
            .expect("ticket with comment");
        assert_eq!(view.comment, want, "comment {n}");
        assert_eq!(
            view.ticket,
            expected_ticket(updated_at),
            "ticket with comment {n}"
        );
    }
}

#[tokio::test]
async fn jsonrpc_reads_a_ticket() {
    let server = MockServer::start().await;
    json_rpc(&server, "ticket.get", 1, GET_JSON).await;
    let view = trac(&server, TracMode::Jsonrpc, false)
        .fetch(&link("1", None))
        .await
        .expect("ticket");
    assert_eq!(
        view,
        TicketView {
            ticket: expected_ticket(Some(at(10, 15))),
            comment: None
        }
    );
}

#[tokio::test]
async fn xmlrpc_reads_a_ticket_with_credentials() {
    let server = MockServer::start().await;
    xml_rpc(&server, "ticket.get", 1, GET_XML).await;
    let view = trac(&server, TracMode::Xmlrpc, true)
        .fetch(&link("1", None))
        .await
        .expect("ticket");
    assert_eq!(
        view,
        TicketView {
            ticket: expected_ticket(Some(at(10, 15))),
            comment: None
        }
    );
}

#[tokio::test]
async fn jsonrpc_comments_follow_the_change_log() {
    let server = MockServer::start().await;
    json_rpc(&server, "ticket.get", 1, GET_JSON).await;
    json_rpc(&server, "ticket.changeLog", 1, LOG_JSON).await;
    check_comments(
        &trac(&server, TracMode::Jsonrpc, false),
        rpc_comments(),
        Some(at(10, 15)),
    )
    .await;
}

#[tokio::test]
async fn xmlrpc_comments_follow_the_change_log() {
    let server = MockServer::start().await;
    xml_rpc(&server, "ticket.get", 1, GET_XML).await;
    xml_rpc(&server, "ticket.changeLog", 1, LOG_XML).await;
    check_comments(
        &trac(&server, TracMode::Xmlrpc, true),
        rpc_comments(),
        Some(at(10, 15)),
    )
    .await;
}

#[tokio::test]
async fn missing_tickets_are_not_found() {
    let server = MockServer::start().await;
    json_rpc(&server, "ticket.get", 999, MISSING_JSON).await;
    xml_rpc(&server, "ticket.get", 999, MISSING_XML).await;
    let json = trac(&server, TracMode::Jsonrpc, false)
        .fetch(&link("999", None))
        .await;
    assert!(matches!(json, Err(TrackerError::NotFound)), "{json:?}");
    let xml = trac(&server, TracMode::Xmlrpc, true)
        .fetch(&link("999", None))
        .await;
    assert!(matches!(xml, Err(TrackerError::NotFound)), "{xml:?}");
    let not_a_number = trac(&server, TracMode::Jsonrpc, false)
        .fetch(&link("abc", None))
        .await;
    assert!(
        matches!(not_a_number, Err(TrackerError::NotFound)),
        "{not_a_number:?}"
    );
}

#[tokio::test]
async fn http_errors_and_other_faults_are_told_apart() {
    type Expected = fn(&TrackerError) -> bool;
    let cases: Vec<(ResponseTemplate, Expected)> = vec![
        (ResponseTemplate::new(401), |e| {
            matches!(e, TrackerError::Unauthorized(401))
        }),
        (
            ResponseTemplate::new(500),
            |e| matches!(e, TrackerError::Unavailable(m) if m == "HTTP 500"),
        ),
        // No plugin: the endpoint is missing, which says nothing about the ticket.
        (
            ResponseTemplate::new(404),
            |e| matches!(e, TrackerError::Protocol(m) if m.contains("export")),
        ),
        (
            ResponseTemplate::new(200).set_body_raw(
                r#"{"result": null, "error": {"code": 1, "message": "boom"}, "id": 1}"#,
                "application/json",
            ),
            |e| matches!(e, TrackerError::Protocol(m) if m == "RPC fault 1"),
        ),
        (
            ResponseTemplate::new(200).set_body_string("<html>login</html>"),
            |e| matches!(e, TrackerError::Protocol(_)),
        ),
    ];
    for (response, expected) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(response)
            .mount(&server)
            .await;
        let got = trac(&server, TracMode::Jsonrpc, false)
            .fetch(&link("1", None))
            .await;
        assert!(got.as_ref().is_err_and(expected), "{got:?}");
    }
}

#[tokio::test]
async fn xml_faults_and_errors_map_like_json_ones() {
    let server = MockServer::start().await;
    let fault = MISSING_XML.replace("<int>404</int>", "<int>403</int>");
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_raw(fault, "text/xml"))
        .mount(&server)
        .await;
    let got = trac(&server, TracMode::Xmlrpc, true)
        .fetch(&link("1", None))
        .await;
    assert!(
        matches!(got, Err(TrackerError::Unauthorized(403))),
        "{got:?}"
    );
}

#[tokio::test]
async fn a_slow_trac_is_unavailable() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_raw(GET_JSON, "application/json")
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(200))
        .build()
        .expect("client");
    let config = config(&server.uri(), None, TracMode::Jsonrpc);
    let got = Trac::new(Site::new(http, &config, None, None))
        .fetch(&link("1", None))
        .await;
    assert!(
        matches!(&got, Err(TrackerError::Unavailable(m)) if m == "timed out"),
        "{got:?}"
    );
}

#[tokio::test]
async fn export_reads_csv_and_comments_from_rss() {
    let server = MockServer::start().await;
    export(&server, "csv", EXPORT_CSV, 5).await;
    export(&server, "rss", EXPORT_RSS, 5).await;
    let mut table = rpc_comments();
    // The RSS renders Trac's HTML, where the quote is its own paragraph.
    table[2].1 = comment(
        3,
        "alice",
        at(10, 0),
        "Replying to carol:\n\n> I can reproduce this on staging.\n\nConfirmed, it is the SEPA mandate call.",
    );
    check_comments(
        &trac(&server, TracMode::Export, false),
        table,
        Some(at(10, 10)),
    )
    .await;
}

#[tokio::test]
async fn export_without_a_comment_reads_only_the_csv() {
    let server = MockServer::start().await;
    export(&server, "csv", EXPORT_CSV, 1).await;
    export(&server, "rss", EXPORT_RSS, 0).await;
    let view = trac(&server, TracMode::Export, false)
        .fetch(&link("1", None))
        .await
        .expect("ticket");
    assert_eq!(
        view,
        TicketView {
            ticket: expected_ticket(None),
            comment: None
        }
    );
}

#[tokio::test]
async fn export_of_a_missing_ticket_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/acme/ticket/999"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let got = trac(&server, TracMode::Export, false)
        .fetch(&link("999", Some(1)))
        .await;
    assert!(matches!(got, Err(TrackerError::NotFound)), "{got:?}");
}

/// Reads the throwaway stock Trac that `make test` starts
/// (scripts/trac-fixture.py), through the plugin-free export.
#[tokio::test]
async fn export_mode_reads_a_real_trac() {
    let url = std::env::var("TRAC_URL").unwrap_or_else(|_| {
            panic!(
                "TRAC_URL is not set. Run `make test`, which starts a throwaway Trac, or start one by hand: \
                 `.venv/bin/python scripts/trac-fixture.py /tmp/trac-fixture 8124 &` (after `make setup`), \
                 then `TRAC_URL=http://127.0.0.1:8124 cargo test -p switchboard-trackers`"
            )
        });
    let client = Trac::new(Site::new(
        switchboard_core::slack::api::http_client(),
        &config(&url, None, TracMode::Export),
        None,
        None,
    ));
    let base = url.trim_end_matches('/');
    let expected = Ticket {
        url: format!("{base}/ticket/1"),
        ..expected_ticket(Some(at(10, 10)))
    };
    let edited = client
        .fetch(&link("1", Some(2)))
        .await
        .expect("ticket 1, comment 2");
    assert_eq!(edited.ticket, expected);
    assert_eq!(
        edited.comment,
        comment(
            2,
            "dave",
            at(9, 50),
            "Raising priority: 14 tickets from support today (edited)."
        )
    );
    let reply = client
        .fetch(&link("1", Some(3)))
        .await
        .expect("ticket 1, comment 3");
    let reply = reply.comment.expect("the reply is anchored as comment 3");
    assert_eq!(
        (reply.author.as_str(), reply.at),
        ("alice", Some(at(10, 0)))
    );
    assert!(
        reply
            .text
            .ends_with("Confirmed, it is the SEPA mandate call."),
        "{reply:?}"
    );
    let missing = client.fetch(&link("1", Some(9))).await.expect("ticket 1");
    assert_eq!(missing.comment, None);
    let gone = client.fetch(&link("999", None)).await;
    assert!(matches!(gone, Err(TrackerError::NotFound)), "{gone:?}");
}
