//! Trello cards through the REST API (`GET /1/cards/{id}`), with the card's
//! list and members nested in the same answer.

use async_trait::async_trait;
use serde::Deserialize;
use switchboard_core::config::TrackerConfig;
use switchboard_core::secrets::Secret;

use crate::{Ticket, TicketRef, TicketView, Tracker, TrackerError, time, wire};

pub const DEFAULT_API_URL: &str = "https://api.trello.com";

/// The card fields a ticket needs; the rest of a card is left behind.
const CARD_FIELDS: &str = "name,desc,dateLastActivity,due,labels,shortLink";

/// Reads cards with an API key (the user secret) and a token.
pub struct Trello {
    http: reqwest::Client,
    name: String,
    web_url: String,
    api_url: String,
    key: Option<Secret>,
    token: Option<Secret>,
}

impl Trello {
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
            key: user,
            token,
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Card {
    name: String,
    desc: Option<String>,
    short_link: Option<String>,
    date_last_activity: Option<String>,
    due: Option<String>,
    labels: Option<Vec<Label>>,
    members: Option<Vec<Member>>,
    list: Option<List>,
}

#[derive(Deserialize)]
struct Label {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Member {
    full_name: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize)]
struct List {
    name: Option<String>,
}

impl Card {
    fn into_ticket(self, short_link: &str, web_url: &str) -> Ticket {
        let short_link = self.short_link.unwrap_or_else(|| short_link.to_owned());
        let labels: Vec<String> = self
            .labels
            .unwrap_or_default()
            .into_iter()
            .filter_map(|l| wire::non_empty(l.name.as_deref()))
            .collect();
        let owner = self.members.unwrap_or_default().into_iter().find_map(|m| {
            wire::non_empty(m.full_name.as_deref())
                .or_else(|| wire::non_empty(m.username.as_deref()))
        });
        Ticket {
            url: format!("{web_url}/c/{short_link}"),
            display_id: short_link,
            summary: self.name.trim().to_owned(),
            status: self.list.and_then(|l| wire::non_empty(l.name.as_deref())),
            // Labels are how boards usually say what kind of card it is.
            kind: (!labels.is_empty()).then(|| labels.join(", ")),
            priority: None,
            owner,
            // A card does not name its creator; only its createCard action does.
            reporter: None,
            // Trello has no milestones; the due date is the nearest thing a
            // card has, and a card shows it in that place.
            milestone: self
                .due
                .as_deref()
                .and_then(time::parse)
                .map(|due| format!("due {}", time::date(due))),
            updated_at: self.date_last_activity.as_deref().and_then(time::parse),
            description: wire::excerpt(self.desc.as_deref().unwrap_or_default()),
        }
    }
}

#[async_trait]
impl Tracker for Trello {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        let mut url = wire::endpoint(&self.api_url, &["1", "cards", &link.key])?;
        // Logged before the credentials join the query, so they never do.
        tracing::debug!(tracker = %self.name, path = url.path(), "fetching a Trello card");
        {
            let mut query = url.query_pairs_mut();
            query
                .append_pair("fields", CARD_FIELDS)
                .append_pair("list", "true")
                .append_pair("members", "true")
                .append_pair("member_fields", "fullName,username");
            if let Some(key) = &self.key {
                query.append_pair("key", key.expose());
            }
            if let Some(token) = &self.token {
                query.append_pair("token", token.expose());
            }
        }
        let request = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        let card: Card = wire::json(&wire::body(request).await?)?;
        Ok(TicketView {
            ticket: card.into_ticket(&link.key, &self.web_url),
            comment: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing;
    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const CARD: &str = include_str!("../tests/fixtures/trello/card.json");

    fn trello(api_url: &str) -> Trello {
        let config = testing::config(TrackerKind::Trello, "https://trello.com", Some(api_url));
        Trello::new(
            reqwest::Client::new(),
            &config,
            Some(Secret::new("the-key")),
            Some(Secret::new("the-token")),
        )
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
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "name",
        "desc",
        "shortLink",
        "dateLastActivity",
        "due",
        "labels",
        "members",
        "fullName",
        "username",
        "list",
        "2019-09-16T16:19:17.156Z",
    ];

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_answer_is_a_ticket_or_an_error(body in prop_oneof![
            any::<String>(),
            prop::json(WORDS).prop_map(|v| v.to_string()),
        ]) {
            let _ = wire::json::<Card>(&body).map(|c| c.into_ticket("aBcD1234", "https://trello.com"));
        }
    }
}
