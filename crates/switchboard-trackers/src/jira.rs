//! Jira Cloud issues through REST API v3 (`GET /rest/api/3/issue/{key}`),
//! whose rich text comes as Atlassian Document Format (ADF); and their
//! workflow: status, transitions (`/rest/api/3/issue/{key}/transitions`)
//! and single-field edits (`PUT /rest/api/3/issue/{key}`).

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;
use switchboard_core::secrets::Secret;

use crate::site::Site;
use crate::{
    Ticket, TicketRef, TicketView, Tracker, TrackerError, Transition, Workflow, time, wire,
};

/// Only the fields a card shows; an issue with every field is large.
const FIELDS: &str =
    "summary,status,issuetype,priority,assignee,reporter,fixVersions,updated,description";

/// Reads issues with basic auth: the account's email (the user secret) and
/// an API token.
pub struct Jira {
    site: Site,
}

impl Jira {
    pub fn new(site: Site) -> Self {
        Self { site }
    }
}

impl Jira {
    /// A request carrying the account's credentials, asking for JSON.
    fn request(&self, method: reqwest::Method, url: url::Url) -> reqwest::RequestBuilder {
        let site = &self.site;
        let mut request = site
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(email) = &site.user {
            request = request.basic_auth(email.expose(), site.token.as_ref().map(Secret::expose));
        }
        request
    }

    /// `/rest/api/3/issue/{key}` followed by `rest`; a key that could leave
    /// that path is refused before anything is sent.
    fn issue_url(&self, key: &str, rest: &[&str]) -> Result<url::Url, TrackerError> {
        let mut segments = vec!["rest", "api", "3", "issue", wire::path_key(key)?];
        segments.extend_from_slice(rest);
        wire::endpoint(&self.site.api_url, &segments)
    }
}

#[derive(Deserialize)]
struct Issue {
    key: String,
    fields: Fields,
}

// Jira sends `null` for an unset field, hence `Option` throughout.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fields {
    summary: Option<String>,
    status: Option<Named>,
    issuetype: Option<Named>,
    priority: Option<Named>,
    assignee: Option<Person>,
    reporter: Option<Person>,
    fix_versions: Option<Vec<Named>>,
    updated: Option<String>,
    description: Option<Value>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    display_name: Option<String>,
}

fn name(named: Option<Named>) -> Option<String> {
    named.and_then(|n| wire::non_empty(n.name.as_deref()))
}

fn display_name(person: Option<Person>) -> Option<String> {
    person.and_then(|p| wire::non_empty(p.display_name.as_deref()))
}

impl Issue {
    fn into_ticket(self, web_url: &str) -> Ticket {
        let f = self.fields;
        Ticket {
            url: format!("{web_url}/browse/{}", self.key),
            display_id: self.key,
            summary: f.summary.unwrap_or_default().trim().to_owned(),
            status: name(f.status),
            kind: name(f.issuetype),
            priority: name(f.priority),
            owner: display_name(f.assignee),
            reporter: display_name(f.reporter),
            milestone: f
                .fix_versions
                .unwrap_or_default()
                .into_iter()
                .find_map(|v| name(Some(v))),
            updated_at: f.updated.as_deref().and_then(time::parse),
            description: wire::excerpt(&match f.description {
                // API v2 and some apps send plain text where v3 sends ADF.
                Some(Value::String(text)) => text,
                Some(doc) => adf_text(&doc),
                None => String::new(),
            }),
        }
    }
}

#[async_trait]
impl Tracker for Jira {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        let mut url = wire::endpoint(
            &self.site.api_url,
            &["rest", "api", "3", "issue", &link.key],
        )?;
        url.query_pairs_mut().append_pair("fields", FIELDS);
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "fetching a Jira issue");
        let request = self.request(reqwest::Method::GET, url);
        // Jira Cloud answers 404, not 403, for an issue the account may not
        // see, so a missing permission also reads as "no such ticket".
        let issue: Issue = wire::json(&wire::body(request).await?)?;
        Ok(TicketView {
            ticket: issue.into_ticket(&self.site.web_url),
            comment: None,
        })
    }
}

/// The answer to `GET /rest/api/3/issue/{key}?fields=status`.
#[derive(Deserialize)]
struct StatusOnly {
    fields: StatusField,
}

#[derive(Deserialize)]
struct StatusField {
    status: Option<Named>,
}

/// The answer to `GET /rest/api/3/issue/{key}/transitions`.
#[derive(Deserialize)]
struct Transitions {
    transitions: Vec<JiraTransition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JiraTransition {
    id: String,
    name: String,
    to: Destination,
    /// Only present as `false` when unavailable transitions are asked for;
    /// read anyway so such an answer never offers one.
    is_available: Option<bool>,
}

/// A transition's target status; a transition without one cannot be chosen
/// by its destination, so the name is required.
#[derive(Deserialize)]
struct Destination {
    name: String,
}

#[async_trait]
impl Workflow for Jira {
    async fn status(&self, key: &str) -> Result<String, TrackerError> {
        let mut url = self.issue_url(key, &[])?;
        url.query_pairs_mut().append_pair("fields", "status");
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "reading a Jira issue's status");
        let issue: StatusOnly =
            wire::json(&wire::body(self.request(reqwest::Method::GET, url)).await?)?;
        name(issue.fields.status)
            .ok_or_else(|| TrackerError::Protocol("an issue without a status".into()))
    }

    async fn transitions(&self, key: &str) -> Result<Vec<Transition>, TrackerError> {
        let url = self.issue_url(key, &["transitions"])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "listing a Jira issue's transitions");
        let answer: Transitions =
            wire::json(&wire::body(self.request(reqwest::Method::GET, url)).await?)?;
        Ok(answer
            .transitions
            .into_iter()
            .filter(|t| t.is_available != Some(false))
            .map(|t| Transition {
                id: t.id,
                name: t.name,
                to: t.to.name,
            })
            .collect())
    }

    async fn execute(&self, key: &str, transition: &Transition) -> Result<(), TrackerError> {
        let url = self.issue_url(key, &["transitions"])?;
        tracing::debug!(
            tracker = %self.site.name(),
            path = url.path(),
            transition = %transition.id,
            "moving a Jira issue"
        );
        let body = serde_json::json!({ "transition": { "id": transition.id } });
        // Success is 204 with no content; any 2xx is taken as done.
        wire::body(self.request(reqwest::Method::POST, url).json(&body)).await?;
        Ok(())
    }

    async fn set_field(&self, key: &str, field: &str, value: &str) -> Result<(), TrackerError> {
        let url = self.issue_url(key, &[])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), field, "editing a Jira issue");
        // A plain string suits single-line fields; API v3 wants ADF for the
        // description and multi-line custom fields, and answers 400 here.
        let body = serde_json::json!({ "fields": { field: value } });
        wire::body(self.request(reqwest::Method::PUT, url).json(&body)).await?;
        Ok(())
    }
}

/// The text of an ADF document: blocks (paragraphs, headings, code, list
/// items) separated by blank lines, list items by line breaks with a
/// bullet or number, and mentions, emoji and links as their text.
fn adf_text(doc: &Value) -> String {
    let mut blocks = Vec::new();
    adf_blocks(doc, &mut blocks);
    blocks.join("\n\n")
}

fn node_type(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or_default()
}

fn children(node: &Value) -> impl Iterator<Item = &Value> {
    node.get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn adf_blocks(node: &Value, blocks: &mut Vec<String>) {
    match node_type(node) {
        "paragraph" | "heading" | "codeBlock" => {
            let mut text = String::new();
            adf_inline(node, &mut text);
            let text = text.trim_end();
            if !text.trim().is_empty() {
                blocks.push(text.to_owned());
            }
        }
        kind @ ("bulletList" | "orderedList") => {
            let start = node
                .pointer("/attrs/order")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let lines: Vec<String> = children(node)
                .zip(start..)
                .map(|(item, n)| {
                    let mut inner = Vec::new();
                    adf_blocks(item, &mut inner);
                    let marker = if kind == "orderedList" {
                        format!("{n}. ")
                    } else {
                        "• ".to_owned()
                    };
                    format!("{marker}{}", inner.join("\n"))
                })
                .collect();
            if !lines.is_empty() {
                blocks.push(lines.join("\n"));
            }
        }
        "text" | "mention" | "emoji" | "inlineCard" | "hardBreak" => {
            // Inline content outside a paragraph (seen in comments made by
            // apps) still counts as a block of its own.
            let mut text = String::new();
            adf_inline_node(node, &mut text);
            if !text.trim().is_empty() {
                blocks.push(text.trim().to_owned());
            }
        }
        _ => children(node).for_each(|child| adf_blocks(child, blocks)),
    }
}

fn adf_inline(node: &Value, out: &mut String) {
    children(node).for_each(|child| adf_inline_node(child, out));
}

fn adf_inline_node(node: &Value, out: &mut String) {
    let attr = |name: &str| {
        node.pointer(&format!("/attrs/{name}"))
            .and_then(Value::as_str)
    };
    match node_type(node) {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or_default()),
        "hardBreak" => out.push('\n'),
        // A mention's text already starts with `@`.
        "mention" => out.push_str(attr("text").unwrap_or("@someone")),
        "emoji" => out.push_str(
            attr("text")
                .or_else(|| attr("shortName"))
                .unwrap_or_default(),
        ),
        "inlineCard" => out.push_str(attr("url").unwrap_or_default()),
        _ => adf_inline(node, out),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
