//! Codebase tickets through API v3, which speaks XML.
//!
//! The documentation lists tickets only as a collection (`/project/tickets`)
//! and says every answer is XML; `GET /project/tickets/{n}` answers with the
//! one ticket, as the public clients use it. A ticket carries no
//! description: Codebase keeps it as the ticket's first note, so the notes
//! are read alongside the ticket.

use async_trait::async_trait;
use roxmltree::{Document, Node};
use switchboard_core::config::TrackerConfig;
use switchboard_core::secrets::Secret;

use crate::listing::split_labels;
use crate::{
    ListedTicket, Ticket, TicketLister, TicketRef, TicketView, Tracker, TrackerError, time, wire,
};

pub const DEFAULT_API_URL: &str = "https://api3.codebasehq.com";

/// Reads tickets with basic auth: `account/username` (the user secret) and
/// the user's API key.
pub struct Codebase {
    http: reqwest::Client,
    name: String,
    web_url: String,
    api_url: String,
    user: Option<Secret>,
    api_key: Option<Secret>,
}

impl Codebase {
    pub fn new(
        http: reqwest::Client,
        config: &TrackerConfig,
        user: Option<Secret>,
        token: Option<Secret>,
    ) -> Self {
        let (web_url, api_url) = wire::bases(config, Some(DEFAULT_API_URL));
        Self {
            http,
            name: config.name.clone(),
            web_url,
            api_url,
            user,
            api_key: token,
        }
    }

    async fn get(&self, segments: &[&str]) -> Result<String, TrackerError> {
        let url = wire::endpoint(&self.api_url, segments)?;
        tracing::debug!(tracker = %self.name, path = url.path(), "reading Codebase");
        wire::body(self.request(url, "application/xml")).await
    }

    /// A GET with the account's credentials, asking for `accept`.
    fn request(&self, url: url::Url, accept: &str) -> reqwest::RequestBuilder {
        let request = self.http.get(url).header(reqwest::header::ACCEPT, accept);
        match &self.user {
            Some(user) => {
                request.basic_auth(user.expose(), self.api_key.as_ref().map(Secret::expose))
            }
            None => request,
        }
    }
}

fn parse(xml: &str) -> Result<Document<'_>, TrackerError> {
    Document::parse(xml).map_err(|e| TrackerError::Protocol(format!("unexpected XML: {e}")))
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children().find(|c| c.has_tag_name(name))
}

/// An element's text; `nil="true"` (Rails' null) and blank text are none.
fn text(node: Option<Node<'_, '_>>) -> Option<String> {
    let node = node.filter(|n| n.attribute("nil") != Some("true"))?;
    let text: String = node
        .descendants()
        .filter(|d| d.is_text())
        .filter_map(|d| d.text())
        .collect();
    wire::non_empty(Some(&text))
}

/// The `name` of a nested property object such as `<status>`.
fn name_of(ticket: Node<'_, '_>, property: &str) -> Option<String> {
    text(child(ticket, property).and_then(|p| child(p, "name")))
}

fn ticket_from(xml: &str, link: &TicketRef, web_url: &str) -> Result<Ticket, TrackerError> {
    let doc = parse(xml)?;
    let ticket = doc.root_element();
    if !ticket.has_tag_name("ticket") {
        return Err(TrackerError::Protocol(format!(
            "expected a <ticket>, got <{}>",
            ticket.tag_name().name()
        )));
    }
    let summary = text(child(ticket, "summary"))
        .ok_or_else(|| TrackerError::Protocol("the ticket has no summary".into()))?;
    Ok(Ticket {
        display_id: format!("#{}", link.key),
        url: format!("{web_url}/projects/{}/tickets/{}", link.project, link.key),
        summary,
        status: name_of(ticket, "status"),
        // `<type>` is the project's own type; `<ticket-type>` the older
        // field that holds the same name.
        kind: name_of(ticket, "type").or_else(|| text(child(ticket, "ticket-type"))),
        priority: name_of(ticket, "priority"),
        owner: text(child(ticket, "assignee")),
        reporter: text(child(ticket, "reporter")),
        milestone: name_of(ticket, "milestone"),
        updated_at: text(child(ticket, "updated-at"))
            .as_deref()
            .and_then(time::parse),
        description: String::new(),
    })
}

/// The first note's content: what the reporter wrote when opening it.
fn description_from(xml: &str) -> Result<String, TrackerError> {
    let doc = parse(xml)?;
    let first = doc
        .root_element()
        .children()
        .find(|c| c.has_tag_name("ticket-note"));
    Ok(wire::excerpt(
        &text(first.and_then(|n| child(n, "content"))).unwrap_or_default(),
    ))
}

#[async_trait]
impl Tracker for Codebase {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        let ticket_path = [link.project.as_str(), "tickets", &link.key];
        let notes_path = [link.project.as_str(), "tickets", &link.key, "notes"];
        let (ticket, notes) = tokio::join!(self.get(&ticket_path), self.get(&notes_path));
        let mut ticket = ticket_from(&ticket?, link, &self.web_url)?;
        // The card is still worth showing without its description.
        match notes.and_then(|xml| description_from(&xml)) {
            Ok(description) => ticket.description = description,
            Err(e) => {
                tracing::warn!(tracker = %self.name, error = %e, "no description: the notes could not be read")
            }
        }
        Ok(TicketView {
            ticket,
            comment: None,
        })
    }
}

/// The search Codebase runs when a project sets none: open tickets.
pub const DEFAULT_QUERY: &str = "status:open";

/// Codebase answers 20 tickets a page.
const PAGE_SIZE: usize = 20;

#[async_trait]
impl TicketLister for Codebase {
    async fn list_page(
        &self,
        project: &str,
        query: &str,
        page: u32,
    ) -> Result<Option<Vec<ListedTicket>>, TrackerError> {
        let project = wire::path_key(project).map_err(|_| {
            TrackerError::Protocol(format!("{project:?} is not a project permalink"))
        })?;
        let mut url = wire::endpoint(&self.api_url, &[project, "tickets.json"])?;
        let query = if query.trim().is_empty() {
            DEFAULT_QUERY
        } else {
            query
        };
        url.query_pairs_mut()
            .append_pair("query", query)
            .append_pair("page", &page.to_string());
        tracing::debug!(tracker = %self.name, project, page, "listing Codebase tickets");
        match wire::page_body(self.request(url, "application/json")).await? {
            None => Ok(None),
            Some(body) => list_from_json(&body, project, &self.web_url).map(Some),
        }
    }

    fn page_size(&self) -> usize {
        PAGE_SIZE
    }
}

/// A page of `tickets.json`: an array of tickets, each bare or wrapped as
/// `{"ticket": {...}}`. An empty array is an empty page.
fn list_from_json(
    body: &str,
    project: &str,
    web_url: &str,
) -> Result<Vec<ListedTicket>, TrackerError> {
    let value: serde_json::Value = wire::json(body)?;
    let items = value
        .as_array()
        .ok_or_else(|| TrackerError::Protocol("tickets.json did not answer a list".into()))?;
    items
        .iter()
        .map(|item| listed_from(item.get("ticket").unwrap_or(item), project, web_url))
        .collect()
}

fn listed_from(
    t: &serde_json::Value,
    project: &str,
    web_url: &str,
) -> Result<ListedTicket, TrackerError> {
    let id = match t.get("ticket_id") {
        // Only a whole number is an id: `-0.0` or `1e3` would leave the path.
        Some(serde_json::Value::Number(n)) if let Some(n) = n.as_u64() => n.to_string(),
        Some(serde_json::Value::String(s)) if wire::path_safe(s) => s.clone(),
        _ => {
            return Err(TrackerError::Protocol(
                "a listed ticket has no usable ticket_id".into(),
            ));
        }
    };
    let str_of = |v: Option<&serde_json::Value>| -> Option<String> {
        match v? {
            serde_json::Value::String(s) => wire::non_empty(Some(s)),
            // People and properties may come as objects with a name.
            serde_json::Value::Object(o) => ["username", "name"]
                .iter()
                .find_map(|k| o.get(*k).and_then(|v| v.as_str()))
                .and_then(|s| wire::non_empty(Some(s))),
            _ => None,
        }
    };
    let status = t.get("status");
    // The ticket spells it `treat-as-closed`; the statuses list `treat_as_closed`.
    let closed = status
        .and_then(|s| {
            s.get("treat-as-closed")
                .or_else(|| s.get("treat_as_closed"))
        })
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let labels = match t.get("tags") {
        Some(serde_json::Value::String(s)) => split_labels(s),
        Some(serde_json::Value::Array(a)) => a.iter().filter_map(|v| str_of(Some(v))).collect(),
        _ => Vec::new(),
    };
    Ok(ListedTicket {
        display_id: format!("#{id}"),
        url: format!("{web_url}/projects/{project}/tickets/{id}"),
        key: id,
        summary: str_of(t.get("summary")).unwrap_or_default(),
        status: str_of(status).unwrap_or_default(),
        closed,
        assignee: str_of(t.get("assignee")),
        reporter: str_of(t.get("reporter")),
        milestone: str_of(t.get("milestone")),
        labels,
        updated_at: t
            .get("updated_at")
            .and_then(serde_json::Value::as_str)
            .and_then(time::parse),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing;
    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const TICKET: &str = include_str!("../tests/fixtures/codebase/ticket.xml");
    const NOTES: &str = include_str!("../tests/fixtures/codebase/notes.xml");

    fn codebase(api_url: &str) -> Codebase {
        let config = testing::config(
            TrackerKind::Codebase,
            "https://acme.codebasehq.com",
            Some(api_url),
        );
        Codebase::new(
            reqwest::Client::new(),
            &config,
            Some(Secret::new("acme/dave")),
            Some(Secret::new("6b2579a03c2e8825a5fd0a9b4390d15571f3674d")),
        )
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
}

#[cfg(test)]
mod listing_tests {
    use super::*;
    use crate::wire::testing;
    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::{basic_auth, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const PAGE: &str = include_str!("../tests/fixtures/codebase/tickets-page.json");

    fn codebase(api_url: &str) -> Codebase {
        let config = testing::config(
            TrackerKind::Codebase,
            "https://acme.codebasehq.com",
            Some(api_url),
        );
        Codebase::new(
            reqwest::Client::new(),
            &config,
            Some(Secret::new("acme/dave")),
            Some(Secret::new("api-key")),
        )
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
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::config::TrackerKind;
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "ticket",
        "tickets",
        "ticket-note",
        "ticket-notes",
        "content",
        "summary",
        "status",
        "name",
        "type",
        "ticket-type",
        "priority",
        "assignee",
        "reporter",
        "milestone",
        "updated-at",
        "updated_at",
        "ticket_id",
        "tags",
        "treat-as-closed",
        "treat_as_closed",
        "username",
        "2011-10-26T11:13:08+11:00",
        "12",
        "../x",
        "a b",
    ];

    fn link() -> TicketRef {
        TicketRef {
            tracker: "codebase".into(),
            kind: TrackerKind::Codebase,
            key: "12".into(),
            project: "web".into(),
            comment: None,
            url: "https://acme.codebasehq.com/projects/web/tickets/12".into(),
        }
    }

    #[test]
    fn a_ticket_id_that_is_not_a_whole_number_is_refused() {
        for id in ["-0.0", "1e3", "-3", "1.5"] {
            let body = format!("[{{\"ticket_id\": {id}}}]");
            assert!(list_from_json(&body, "web", "https://x").is_err(), "{id}");
        }
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn ticket_and_notes_xml_never_panic(xml in prop_oneof![any::<String>(), prop::xml(WORDS)]) {
            let _ = ticket_from(&xml, &link(), "https://acme.codebasehq.com");
            if let Ok(description) = description_from(&xml) {
                prop_assert!(description.chars().count() <= 1501);
            }
        }

        #[test]
        fn listings_never_panic_and_keys_are_path_safe(body in prop_oneof![
            any::<String>(),
            prop::json(WORDS).prop_map(|v| v.to_string()),
            proptest::collection::vec(prop::json(WORDS), 0..4)
                .prop_map(|v| serde_json::Value::Array(v).to_string()),
        ]) {
            if let Ok(listed) = list_from_json(&body, "web", "https://acme.codebasehq.com") {
                for t in listed {
                    prop_assert!(crate::wire::path_safe(&t.key), "key {:?}", t.key);
                }
            }
        }
    }
}
