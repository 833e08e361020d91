use switchboard_core::config::{TrackerConfig, TrackerKind};
use wiremock::matchers::{body_partial_json, body_string_contains, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

const QUERY_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.query-open.json");
const QUERY_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.query-open.xml");
const GET_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.get-1.json");
const GET_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.get-1.xml");
const QUERY_CSV: &str = include_str!("../../tests/fixtures/trac/export-query-open.csv");

/// 2026-09-01 at the given UTC time, as epoch seconds.
fn at(hour: i64, minute: i64) -> i64 {
    1_788_220_800 + hour * 3600 + minute * 60
}

fn trac(url: &str, mode: TracMode) -> Trac {
    let config = TrackerConfig {
        name: "trac".into(),
        kind: TrackerKind::Trac,
        url: "https://trac.example.com/acme".into(),
        api_url: Some(url.into()),
        trac_mode: mode,
        org_id: None,
    };
    Trac::new(Site::new(
        switchboard_core::slack::api::http_client(),
        &config,
        None,
        None,
    ))
}

fn expected_1(updated_at: Option<i64>) -> ListedTicket {
    ListedTicket {
        key: "1".into(),
        display_id: "#1".into(),
        url: "https://trac.example.com/acme/ticket/1".into(),
        summary: "Checkout page times out for EU customers — “Zahlung” step".into(),
        status: "accepted".into(),
        closed: false,
        assignee: Some("alice".into()),
        reporter: Some("bob".into()),
        milestone: Some("milestone1".into()),
        labels: vec!["payments".into(), "sepa".into()],
        updated_at,
    }
}

#[tokio::test]
async fn lists_over_json_rpc_with_one_get_per_ticket() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_partial_json(serde_json::json!({
            "method": "ticket.query",
            "params": ["status=%21closed&max=20&page=1&order=id"],
        })))
        .respond_with(ResponseTemplate::new(200).set_body_string(QUERY_JSON))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(
            serde_json::json!({ "method": "ticket.get", "params": [1] }),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(GET_JSON))
        .expect(1)
        .mount(&server)
        .await;
    let page = trac(&server.uri(), TracMode::Jsonrpc)
        .list_page("", "", 1)
        .await
        .expect("listed")
        .expect("page");
    assert_eq!(page, vec![expected_1(Some(at(10, 15)))]);
}

#[tokio::test]
async fn lists_over_xml_rpc_with_the_query_escaped() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(body_string_contains(
            "<methodName>ticket.query</methodName>",
        ))
        .and(body_string_contains(
            "<string>status=%21closed&amp;owner=alice&amp;max=20&amp;page=2&amp;order=id</string>",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(QUERY_XML))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(body_string_contains("<methodName>ticket.get</methodName>"))
        .respond_with(ResponseTemplate::new(200).set_body_string(GET_XML))
        .mount(&server)
        .await;
    // The project's own paging keys are replaced by the scanner's.
    let page = trac(&server.uri(), TracMode::Xmlrpc)
        .list_page("", "status=!closed&owner=alice&max=5&page=9", 2)
        .await
        .expect("listed")
        .expect("page");
    assert_eq!(page, vec![expected_1(Some(at(10, 15)))]);
}

#[tokio::test]
async fn reads_the_recorded_query_export_by_column_position() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/query"))
        .respond_with(ResponseTemplate::new(200).set_body_string(QUERY_CSV))
        .mount(&server)
        .await;
    // The recorded export has five columns; a listing needs all eight.
    let got = trac(&server.uri(), TracMode::Export)
        .list_page("", "", 1)
        .await;
    assert!(matches!(got, Err(TrackerError::Protocol(_))), "{got:?}");
}

/// Lists the throwaway stock Trac that `make test` starts.
#[tokio::test]
async fn export_listing_reads_a_real_trac() {
    let url = std::env::var("TRAC_URL").unwrap_or_else(|_| {
            panic!(
                "TRAC_URL is not set. Run `make test`, which starts a throwaway Trac, or start one by hand: \
                 `.venv/bin/python scripts/trac-fixture.py /tmp/trac-fixture 8124 &` (after `make setup`), \
                 then `TRAC_URL=http://127.0.0.1:8124 cargo test -p switchboard-trackers`"
            )
        });
    let client = trac(&url, TracMode::Export);
    let page = client
        .list_page("", "", 1)
        .await
        .expect("listed")
        .expect("page");
    assert_eq!(page.len(), 2, "{page:?}");
    assert_eq!(page[0], expected_1(Some(at(10, 15))));
    assert_eq!(
        (
            page[1].key.as_str(),
            page[1].status.as_str(),
            page[1].updated_at
        ),
        ("2", "new", Some(at(10, 20)))
    );
    // When every match fits on one page, Trac ignores `page` and repeats
    // it; the scanner stops at a page with nothing new.
    let again = client.list_page("", "", 2).await.expect("listed");
    assert!(again.is_none_or(|p| p.is_empty() || p == page));
    let filtered = client
        .list_page("", "status=new", 1)
        .await
        .expect("listed")
        .expect("page");
    assert_eq!(filtered.len(), 1);
    assert_eq!(filtered[0].key, "2");
}
