//! Yandex Tracker issues through API v3 (`GET /v3/issues/{key}`), and
//! their workflow: transitions (`/v3/issues/{key}/transitions`, executed at
//! `…/transitions/{id}/_execute`) and field edits (`PATCH /v3/issues/{key}`).
//!
//! The organisation goes in a header whose name depends on where the
//! organisation lives: `X-Org-ID` for Yandex 360 for Business, whose ids are
//! numbers, and `X-Cloud-Org-ID` for Yandex Cloud Organization, whose ids
//! are letters and digits (`bpf…`). The configured id decides which is
//! sent; when both kinds are linked the documentation asks for the Yandex
//! 360 one with `X-Org-ID`, which a numeric id gets.

use async_trait::async_trait;
use serde::Deserialize;

use crate::site::Site;
use crate::{
    Ticket, TicketRef, TicketView, Tracker, TrackerError, Transition, Workflow, time, wire,
};

pub const DEFAULT_API_URL: &str = "https://api.tracker.yandex.net";

/// The API version every request uses; the current documentation gives v3
/// for each of them, and v2 answers the same shapes.
const VERSION: &str = "v3";

/// Reads issues with an OAuth token on behalf of one organisation.
pub struct Yandex {
    site: Site,
    org_id: Option<String>,
}

impl Yandex {
    /// Yandex Tracker authenticates by token alone; the user secret is unused.
    pub fn new(site: Site) -> Self {
        let org_id = site
            .config
            .org_id
            .as_deref()
            .map(str::trim)
            .filter(|id| !id.is_empty())
            .map(str::to_owned);
        Self { site, org_id }
    }
}

impl Yandex {
    /// A request carrying the token and the organisation, asking for JSON.
    fn request(&self, method: reqwest::Method, url: url::Url) -> reqwest::RequestBuilder {
        let mut request = self
            .site
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = &self.site.token {
            request = request.header(
                reqwest::header::AUTHORIZATION,
                format!("OAuth {}", token.expose()),
            );
        }
        if let Some(org_id) = &self.org_id {
            request = request.header(org_header(org_id), org_id);
        }
        request
    }

    /// `/v3/issues/{key}` followed by `rest`; a key that could leave that
    /// path is refused before anything is sent.
    fn issue_url(&self, key: &str, rest: &[&str]) -> Result<url::Url, TrackerError> {
        let mut segments = vec![VERSION, "issues", wire::path_key(key)?];
        segments.extend_from_slice(rest);
        wire::endpoint(&self.site.api_url, &segments)
    }

    /// The issue at `url`, in either answer shape.
    async fn issue(&self, url: url::Url) -> Result<Issue, TrackerError> {
        let request = self.request(reqwest::Method::GET, url);
        match wire::json::<Answer>(&wire::body(request).await?)? {
            Answer::One(issue) => Ok(*issue),
            Answer::Many(issues) => issues
                .into_iter()
                .next()
                .ok_or_else(|| TrackerError::Protocol("an empty list instead of an issue".into())),
        }
    }
}

/// The header that carries an organisation id.
fn org_header(org_id: &str) -> &'static str {
    if !org_id.is_empty() && org_id.bytes().all(|b| b.is_ascii_digit()) {
        "X-Org-ID"
    } else {
        "X-Cloud-Org-ID"
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    key: String,
    summary: Option<String>,
    status: Option<Shown>,
    #[serde(rename = "type")]
    kind: Option<Shown>,
    priority: Option<Shown>,
    assignee: Option<Shown>,
    created_by: Option<Shown>,
    fix_versions: Option<Vec<Shown>>,
    updated_at: Option<String>,
    description: Option<String>,
}

/// A reference to another object, as Tracker nests them: `display` is the
/// name shown in the interface, in the organisation's language.
#[derive(Deserialize)]
struct Shown {
    display: Option<String>,
}

fn display(shown: Option<Shown>) -> Option<String> {
    shown.and_then(|s| wire::non_empty(s.display.as_deref()))
}

/// The documentation's example answer is an array holding the issue, while
/// the service answers with the issue itself; both are read.
#[derive(Deserialize)]
#[serde(untagged)]
enum Answer {
    One(Box<Issue>),
    Many(Vec<Issue>),
}

impl Issue {
    fn into_ticket(self, web_url: &str) -> Ticket {
        Ticket {
            url: format!("{web_url}/{}", self.key),
            display_id: self.key,
            summary: self.summary.unwrap_or_default().trim().to_owned(),
            status: display(self.status),
            kind: display(self.kind),
            priority: display(self.priority),
            owner: display(self.assignee),
            reporter: display(self.created_by),
            milestone: self
                .fix_versions
                .unwrap_or_default()
                .into_iter()
                .find_map(|v| display(Some(v))),
            updated_at: self.updated_at.as_deref().and_then(time::parse),
            description: wire::excerpt(self.description.as_deref().unwrap_or_default()),
        }
    }
}

#[async_trait]
impl Tracker for Yandex {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        let url = wire::endpoint(&self.site.api_url, &[VERSION, "issues", &link.key])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "fetching a Yandex Tracker issue");
        let issue = self.issue(url).await?;
        Ok(TicketView {
            ticket: issue.into_ticket(&self.site.web_url),
            comment: None,
        })
    }
}

/// One entry of `GET /v3/issues/{key}/transitions`: `display` is the
/// transition's button label and `to.display` the status it leads to.
#[derive(Deserialize)]
struct YandexTransition {
    id: String,
    display: String,
    to: Destination,
}

/// A transition's target status; a transition without one cannot be chosen
/// by its destination, so the name is required.
#[derive(Deserialize)]
struct Destination {
    display: String,
}

#[async_trait]
impl Workflow for Yandex {
    async fn status(&self, key: &str) -> Result<String, TrackerError> {
        let url = self.issue_url(key, &[])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "reading a Yandex Tracker issue's status");
        display(self.issue(url).await?.status)
            .ok_or_else(|| TrackerError::Protocol("an issue without a status".into()))
    }

    async fn transitions(&self, key: &str) -> Result<Vec<Transition>, TrackerError> {
        let url = self.issue_url(key, &["transitions"])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "listing a Yandex Tracker issue's transitions");
        let list: Vec<YandexTransition> =
            wire::json(&wire::body(self.request(reqwest::Method::GET, url)).await?)?;
        Ok(list
            .into_iter()
            .map(|t| Transition {
                id: t.id,
                name: t.display,
                to: t.to.display,
            })
            .collect())
    }

    async fn execute(&self, key: &str, transition: &Transition) -> Result<(), TrackerError> {
        // The id goes into the path too; one that would need encoding did
        // not come from Tracker's own list.
        if !wire::path_safe(&transition.id) {
            return Err(TrackerError::Protocol(
                "a transition id that cannot go in a URL".into(),
            ));
        }
        let url = self.issue_url(key, &["transitions", &transition.id, "_execute"])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), "moving a Yandex Tracker issue");
        // The answer lists the transitions out of the new status; the caller
        // asks again when it needs them, so any 2xx is enough here.
        let body = serde_json::json!({});
        wire::body(self.request(reqwest::Method::POST, url).json(&body)).await?;
        Ok(())
    }

    async fn set_field(&self, key: &str, field: &str, value: &str) -> Result<(), TrackerError> {
        let url = self.issue_url(key, &[])?;
        tracing::debug!(tracker = %self.site.name(), path = url.path(), field, "editing a Yandex Tracker issue");
        let body = serde_json::json!({ field: value });
        wire::body(self.request(reqwest::Method::PATCH, url).json(&body)).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
