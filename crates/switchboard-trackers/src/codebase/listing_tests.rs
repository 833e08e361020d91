use super::*;
use crate::wire::testing;
use switchboard_core::config::TrackerKind;
use wiremock::matchers::{basic_auth, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PAGE: &str = include_str!("../../tests/fixtures/codebase/tickets-page.json");

fn codebase(api_url: &str) -> Codebase {
    let config = testing::config(
        TrackerKind::Codebase,
        "https://acme.codebasehq.com",
        Some(api_url),
    );
    Codebase::new(Site::new(
        reqwest::Client::new(),
        &config,
        Some(Secret::new("acme/dave")),
        Some(Secret::new("api-key")),
    ))
}

#[tokio::test]
async fn lists_a_page_with_the_search_and_credentials() {
    let server = MockServer::start().await;
    Mock::given(path("/shop/tickets.json"))
        .and(query_param("query", "status:open"))
        .and(query_param("page", "3"))
        .and(basic_auth("acme/dave", "api-key"))
        .respond_with(ResponseTemplate::new(200).set_body_string(PAGE))
        .expect(1)
        .mount(&server)
        .await;
    let page = codebase(&server.uri())
        .list_page("shop", "", 3)
        .await
        .expect("listed")
        .expect("a page");
    assert_eq!(
        page[0],
        ListedTicket {
            key: "41".into(),
            display_id: "#41".into(),
            url: "https://acme.codebasehq.com/projects/shop/tickets/41".into(),
            summary: "Basket total ignores vouchers".into(),
            status: "QA".into(),
            closed: false,
            assignee: Some("dave".into()),
            reporter: Some("erin".into()),
            milestone: Some("Sprint 12".into()),
            labels: vec!["checkout".into(), "vouchers".into()],
            updated_at: Some(1_482_339_004),
        }
    );
    // The statuses endpoint's spelling of the flag counts too.
    assert!(page[1].closed);
    assert_eq!(
        (page[1].assignee.as_deref(), page[1].milestone.as_deref()),
        (None, None)
    );
}

#[tokio::test]
async fn the_end_of_pages_throttling_and_junk() {
    let server = MockServer::start().await;
    Mock::given(path("/shop/tickets.json"))
        .and(query_param("page", "9"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    Mock::given(path("/shop/tickets.json"))
        .and(query_param("page", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&server)
        .await;
    Mock::given(path("/shop/tickets.json"))
        .and(query_param("page", "3"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .mount(&server)
        .await;
    Mock::given(path("/shop/tickets.json"))
        .and(query_param("page", "4"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"error":"x"}"#))
        .mount(&server)
        .await;
    Mock::given(path("/shop/tickets.json"))
        .and(query_param("page", "5"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let c = codebase(&server.uri());
    assert_eq!(c.list_page("shop", "", 9).await.expect("end"), None);
    assert_eq!(
        c.list_page("shop", "", 2).await.expect("empty"),
        Some(vec![])
    );
    match c.list_page("shop", "", 3).await {
        Err(TrackerError::Throttled(Some(d))) => assert_eq!(d.as_secs(), 7),
        other => panic!("expected throttling, got {other:?}"),
    }
    assert!(matches!(
        c.list_page("shop", "", 4).await,
        Err(TrackerError::Protocol(_))
    ));
    let e = c.list_page("shop", "", 5).await.expect_err("5xx");
    assert!(e.is_transient(), "{e:?}");
    assert!(matches!(
        c.list_page("../admin", "", 1).await,
        Err(TrackerError::Protocol(_))
    ));
}
