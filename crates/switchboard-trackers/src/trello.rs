//! Trello cards through the REST API (`GET /1/cards/{id}`), with the card's
//! list and members nested in the same answer. The requests, credentials
//! and statuses are `core::trello`'s, so no URL with the key or token is
//! ever logged.

use async_trait::async_trait;
use serde::Deserialize;
use switchboard_core::config::TrackerConfig;
use switchboard_core::trello::{TrelloApi, TrelloError};

use crate::{Ticket, TicketRef, TicketView, Tracker, TrackerError, status_error, time, wire};

/// The card fields a ticket needs; the rest of a card is left behind.
const CARD_FIELDS: &str = "name,desc,dateLastActivity,due,labels,shortLink";

/// Reads cards through `core::trello`, with its key and token.
pub struct Trello {
    api: TrelloApi,
    name: String,
    web_url: String,
}

impl Trello {
    pub fn new(config: &TrackerConfig, api: TrelloApi) -> Self {
        Self {
            api,
            name: config.name.clone(),
            web_url: config.url.trim_end_matches('/').to_owned(),
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
        tracing::debug!(tracker = %self.name, card = %link.key, "fetching a Trello card");
        let query = [
            ("fields", CARD_FIELDS),
            ("list", "true"),
            ("members", "true"),
            ("member_fields", "fullName,username"),
        ];
        let body = self
            .api
            .get(&["1", "cards", &link.key], &query)
            .await
            .map_err(tracker_error)?;
        let card: Card = wire::json(&body)?;
        Ok(TicketView {
            ticket: card.into_ticket(&link.key, &self.web_url),
            comment: None,
        })
    }
}

/// Trello's failure as every tracker reports one: a refusal by its status,
/// and a rate limit as an outage, like the other trackers' 429s.
fn tracker_error(e: TrelloError) -> TrackerError {
    match e {
        TrelloError::Refused { status, .. } => {
            status_error(status).unwrap_or_else(|| TrackerError::Protocol(format!("HTTP {status}")))
        }
        TrelloError::RateLimited(why) | TrelloError::Unavailable(why) => {
            TrackerError::Unavailable(why)
        }
        TrelloError::Protocol(why) => TrackerError::Protocol(why),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
