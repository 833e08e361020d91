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
mod tests;

#[cfg(test)]
mod prop_tests;
