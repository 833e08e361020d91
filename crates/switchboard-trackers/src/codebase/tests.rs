use super::*;
use crate::wire::testing;
use switchboard_core::config::TrackerKind;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const TICKET: &str = include_str!("../../tests/fixtures/codebase/ticket.xml");
const NOTES: &str = include_str!("../../tests/fixtures/codebase/notes.xml");

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
        Some(Secret::new("6b2579a03c2e8825a5fd0a9b4390d15571f3674d")),
    ))
}

fn link() -> TicketRef {
    testing::link(TrackerKind::Codebase, "42", "shop")
}

fn expected() -> Ticket {
    Ticket {
        display_id: "#42".into(),
        url: "https://acme.codebasehq.com/projects/shop/tickets/42".into(),
        summary: "Le panier se vide après la connexion".into(),
        status: Some("In Progress".into()),
        kind: Some("Bug".into()),
        priority: Some("High".into()),
        owner: Some("dave".into()),
        reporter: Some("adam".into()),
        milestone: Some("Sprint 12".into()),
        updated_at: Some(1_714_560_300),
        description: "Steps to reproduce:\n\n1. Add two items as a guest\n\
                          2. Sign in\n\nThe basket is empty & the items are lost."
            .into(),
    }
}

async fn serve(ticket: ResponseTemplate, notes: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path("/shop/tickets/42"))
        .respond_with(ticket)
        .mount(&server)
        .await;
    Mock::given(path("/shop/tickets/42/notes"))
        .respond_with(notes)
        .mount(&server)
        .await;
    server
}

fn xml(body: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_raw(body.to_owned(), "application/xml")
}

#[tokio::test]
async fn fetches_a_ticket_with_its_first_note_and_maps_every_field() {
    let server = serve(xml(TICKET), xml(NOTES)).await;

    let view = codebase(&server.uri())
        .fetch(&link())
        .await
        .expect("a ticket");

    assert_eq!(view.ticket, expected());
    assert_eq!(view.comment, None);
    let mut requests = server.received_requests().await.expect("recording is on");
    requests.sort_by(|a, b| a.url.path().cmp(b.url.path()));
    let paths: Vec<&str> = requests.iter().map(|r| r.url.path()).collect();
    assert_eq!(paths, ["/shop/tickets/42", "/shop/tickets/42/notes"]);
    for sent in &requests {
        let header = |name: &str| sent.headers.get(name).and_then(|v| v.to_str().ok());
        // base64("acme/dave:6b2579a03c2e8825a5fd0a9b4390d15571f3674d")
        assert_eq!(
            header("authorization"),
            Some("Basic YWNtZS9kYXZlOjZiMjU3OWEwM2MyZTg4MjVhNWZkMGE5YjQzOTBkMTU1NzFmMzY3NGQ="),
        );
        assert_eq!(header("accept"), Some("application/xml"));
        assert_eq!(sent.url.query(), None);
    }
}

#[tokio::test]
async fn the_ticket_shows_without_a_description_when_the_notes_fail() {
    for notes in [
        ResponseTemplate::new(500),
        xml("<ticket-notes"),
        xml("<ticket-notes type=\"array\"/>"),
    ] {
        let server = serve(xml(TICKET), notes).await;

        let view = codebase(&server.uri())
            .fetch(&link())
            .await
            .expect("a ticket");

        assert_eq!(
            view.ticket,
            Ticket {
                description: String::new(),
                ..expected()
            }
        );
    }
}

#[tokio::test]
async fn a_bare_ticket_maps_to_empty_fields() {
    let bare = r#"<?xml version="1.0" encoding="UTF-8"?>
            <ticket>
              <ticket-id type="integer">42</ticket-id>
              <summary>Bare</summary>
              <assignee nil="true"/>
              <reporter></reporter>
              <milestone-id type="integer" nil="true"/>
              <updated-at type="datetime">not a time</updated-at>
            </ticket>"#;
    let server = serve(xml(bare), xml("<ticket-notes type=\"array\"/>")).await;

    let view = codebase(&server.uri())
        .fetch(&link())
        .await
        .expect("a ticket");

    assert_eq!(
        view.ticket,
        Ticket {
            display_id: "#42".into(),
            url: "https://acme.codebasehq.com/projects/shop/tickets/42".into(),
            summary: "Bare".into(),
            ..Ticket::default()
        }
    );
}

#[tokio::test]
async fn the_older_ticket_type_field_names_the_kind() {
    let old = "<ticket><summary>Old</summary><ticket-type>Enhancement</ticket-type></ticket>";
    let server = serve(xml(old), xml(NOTES)).await;

    let view = codebase(&server.uri())
        .fetch(&link())
        .await
        .expect("a ticket");

    assert_eq!(view.ticket.kind.as_deref(), Some("Enhancement"));
}

#[tokio::test]
async fn failures_map_to_tracker_errors() {
    testing::check_failures(
        codebase,
        &link(),
        &[
            "<ticket><summary>cut off",
            "{\"ticket\": {\"summary\": \"JSON\"}}",
            "<tickets type=\"array\"><ticket><summary>x</summary></ticket></tickets>",
            "<ticket><summary/></ticket>",
        ],
    )
    .await;
}

#[tokio::test]
async fn a_missing_ticket_is_not_found_whatever_the_notes_say() {
    let server = serve(ResponseTemplate::new(404), xml(NOTES)).await;

    let got = codebase(&server.uri()).fetch(&link()).await;

    assert_eq!(
        got.map(|_| ()).map_err(|e| testing::describe(&e)),
        Err("NotFound".to_owned())
    );
    // The notes are asked for at the same time, to save a round trip.
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}
