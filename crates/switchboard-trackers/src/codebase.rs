//! Codebase tickets through API v3, which speaks XML.
//!
//! The documentation lists tickets only as a collection (`/project/tickets`)
//! and says every answer is XML; `GET /project/tickets/{n}` answers with the
//! one ticket, as the public clients use it. A ticket carries no
//! description: Codebase keeps it as the ticket's first note, so the notes
//! are read alongside the ticket.

use async_trait::async_trait;
use roxmltree::{Document, Node};
use switchboard_core::secrets::Secret;

use crate::listing::split_labels;
use crate::site::Site;
use crate::{
    ListedTicket, Ticket, TicketLister, TicketRef, TicketView, Tracker, TrackerError, time, wire,
};

pub const DEFAULT_API_URL: &str = "https://api3.codebasehq.com";

/// Reads tickets with basic auth: `account/username` (the user secret) and
/// the user's API key (the token).
pub struct Codebase {
    site: Site,
}

impl Codebase {
    pub fn new(site: Site) -> Self {
        Self { site }
    }

    async fn get(&self, segments: &[&str]) -> Result<String, TrackerError> {
        let url = wire::endpoint(&self.site.api_url, segments)?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "reading Codebase");
        wire::body(self.request(url, "application/xml")).await
    }

    /// A GET with the account's credentials, asking for `accept`.
    fn request(&self, url: url::Url, accept: &str) -> reqwest::RequestBuilder {
        let request = self
            .site
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, accept);
        match &self.site.user {
            Some(user) => {
                request.basic_auth(user.expose(), self.site.token.as_ref().map(Secret::expose))
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
        let mut ticket = ticket_from(&ticket?, link, &self.site.web_url)?;
        // The card is still worth showing without its description.
        match notes.and_then(|xml| description_from(&xml)) {
            Ok(description) => ticket.description = description,
            Err(e) => {
                tracing::warn!(tracker = %self.site.name(), error = %e, "no description: the notes could not be read")
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
        let mut url = wire::endpoint(&self.site.api_url, &[project, "tickets.json"])?;
        let query = if query.trim().is_empty() {
            DEFAULT_QUERY
        } else {
            query
        };
        url.query_pairs_mut()
            .append_pair("query", query)
            .append_pair("page", &page.to_string());
        tracing::debug!(tracker = %self.site.name(), project, page, "listing Codebase tickets");
        match wire::page_body(self.request(url, "application/json")).await? {
            None => Ok(None),
            Some(body) => list_from_json(&body, project, &self.site.web_url).map(Some),
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
mod tests;

#[cfg(test)]
mod listing_tests;

#[cfg(test)]
mod prop_tests;
