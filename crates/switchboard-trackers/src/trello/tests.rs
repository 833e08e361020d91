use super::*;
use crate::wire::testing;
use switchboard_core::config::TrackerKind;
use switchboard_core::secrets::Secret;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const CARD: &str = include_str!("../../tests/fixtures/trello/card.json");

fn trello(api_url: &str) -> Trello {
    let config = testing::config(TrackerKind::Trello, "https://trello.com", Some(api_url));
    let api = TrelloApi::new(
        reqwest::Client::new(),
        api_url,
        Secret::new("the-key"),
        Secret::new("the-token"),
    );
    Trello::new(&config, api)
}

fn link() -> TicketRef {
    testing::link(TrackerKind::Trello, "pLmNb2Qa", "")
}

#[tokio::test]
async fn fetches_a_card_and_maps_every_field() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(CARD))
        .mount(&server)
        .await;

    let view = trello(&server.uri()).fetch(&link()).await.expect("a card");

    assert_eq!(
        view.ticket,
        Ticket {
            display_id: "pLmNb2Qa".into(),
            url: "https://trello.com/c/pLmNb2Qa".into(),
            summary: "Перевести письмо о сбросе пароля".into(),
            status: Some("In Review".into()),
            kind: Some("Bug, Emails".into()),
            priority: None,
            owner: Some("Ольга Смирнова".into()),
            reporter: None,
            milestone: Some("due 2024-05-10".into()),
            updated_at: Some(1_714_731_318),
            description: "The reset email is still English-only.\n\n\
                              - Translate subject and body\n- Check the link on mobile"
                .into(),
        }
    );
    assert_eq!(view.comment, None);

    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1);
    let sent = &requests[0];
    assert_eq!(sent.method.as_str(), "GET");
    assert_eq!(sent.url.path(), "/1/cards/pLmNb2Qa");
    let query: Vec<(String, String)> = sent.url.query_pairs().into_owned().collect();
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(param("key"), Some("the-key"));
    assert_eq!(param("token"), Some("the-token"));
    assert_eq!(param("fields"), Some(CARD_FIELDS));
    assert_eq!(param("list"), Some("true"));
    assert_eq!(param("members"), Some("true"));
    assert_eq!(param("member_fields"), Some("fullName,username"));
    assert!(sent.headers.get("authorization").is_none());
}

#[tokio::test]
async fn a_bare_card_maps_to_empty_fields() {
    let server = MockServer::start().await;
    let bare = r#"{"id":"1","name":"Bare","desc":"","labels":[{"name":"","color":"red"}],"members":[],"due":null}"#;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(bare))
        .mount(&server)
        .await;

    let view = trello(&server.uri()).fetch(&link()).await.expect("a card");

    assert_eq!(
        view.ticket,
        Ticket {
            display_id: "pLmNb2Qa".into(),
            url: "https://trello.com/c/pLmNb2Qa".into(),
            summary: "Bare".into(),
            ..Ticket::default()
        }
    );
}

#[tokio::test]
async fn failures_map_to_tracker_errors() {
    testing::check_failures(
        trello,
        &link(),
        &["{\"name\": ", "[]", "{\"desc\": \"no name\"}"],
    )
    .await;
}
