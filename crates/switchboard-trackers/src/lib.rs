//! Ticket trackers behind one trait. Each kind has a link recogniser and a
//! client; only these modules know a tracker's URLs and payloads.

pub mod bench;
pub mod codebase;
pub mod jira;
pub mod listing;
mod recognise;
mod services;
mod site;
pub(crate) mod time;
pub mod trac;
pub mod trello;
pub(crate) mod wire;
pub mod workflow;
pub mod yandex;

pub use listing::{ListedTicket, TicketLister};
pub use recognise::recognise;
pub use services::Services;
pub use site::Site;
pub use workflow::{Transition, Workflow};

use async_trait::async_trait;
use switchboard_core::config::TrackerKind;

/// A link to a ticket (or one of its comments) in a configured tracker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketRef {
    /// The configured tracker's name.
    pub tracker: String,
    pub kind: TrackerKind,
    /// The tracker's own id: `1` (Trac), `12` with `project` (Codebase),
    /// a short link (Trello), `KEY-1` (Jira, Yandex Tracker).
    pub key: String,
    /// Codebase's project permalink; other kinds leave it empty.
    pub project: String,
    /// The comment the link points at (`#comment:N` in Trac).
    pub comment: Option<u32>,
    /// The link exactly as it was shared.
    pub url: String,
}

/// A ticket as the cards show it: plain text, no tracker markup.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ticket {
    /// What people call it: `#1`, `ABC-12`, the card name's short link.
    pub display_id: String,
    pub url: String,
    pub summary: String,
    pub status: Option<String>,
    pub kind: Option<String>,
    pub priority: Option<String>,
    pub owner: Option<String>,
    pub reporter: Option<String>,
    pub milestone: Option<String>,
    /// Last change, epoch seconds.
    pub updated_at: Option<i64>,
    pub description: String,
}

/// One comment on a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub number: u32,
    pub author: String,
    /// Epoch seconds.
    pub at: Option<i64>,
    pub text: String,
}

/// What a link shows: the ticket, and the comment it points at if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketView {
    pub ticket: Ticket,
    pub comment: Option<Comment>,
}

#[derive(Debug, thiserror::Error)]
pub enum TrackerError {
    #[error("the tracker has no such ticket")]
    NotFound,
    #[error("the tracker refused our credentials (HTTP {0})")]
    Unauthorized(u16),
    #[error("the tracker is unavailable: {0}")]
    Unavailable(String),
    /// A 4xx other than auth, not-found and rate limits: the tracker is up
    /// and said no (a stale transition id, a field it will not take).
    #[error("the tracker refused the request (HTTP {0})")]
    Rejected(u16),
    #[error("the tracker answered something we could not read: {0}")]
    Protocol(String),
    /// HTTP 429: the tracker asks us to slow down, for this long if it said.
    #[error("the tracker is rate-limiting us")]
    Throttled(Option<std::time::Duration>),
}

impl TrackerError {
    /// Whether trying again later may succeed: rate limits, 5xx, timeouts.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Throttled(_) | Self::Unavailable(_))
    }
}

/// A human name for a tracker kind, for card footers.
pub fn label(kind: TrackerKind) -> &'static str {
    match kind {
        TrackerKind::Trac => "Trac",
        TrackerKind::Codebase => "Codebase",
        TrackerKind::Trello => "Trello",
        TrackerKind::Jira => "Jira",
        TrackerKind::Yandex => "Yandex Tracker",
    }
}

/// A ticket tracker.
#[async_trait]
pub trait Tracker: Send + Sync {
    /// Fetches the ticket a link points at; when the link names a comment
    /// that exists, the view carries it too (a missing one is `None`).
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError>;
}

/// Maps a transport error to the tracker error people can act on.
pub(crate) fn transport(e: &reqwest::Error) -> TrackerError {
    tracing::warn!(
        cause = %switchboard_core::slack::api::transport_causes(e),
        "tracker request failed"
    );
    TrackerError::Unavailable(if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        "transport error".into()
    })
}

/// Maps an HTTP status to a tracker error; `None` for success.
pub(crate) fn status_error(status: u16) -> Option<TrackerError> {
    match status {
        200..=299 => None,
        401 | 403 => Some(TrackerError::Unauthorized(status)),
        404 => Some(TrackerError::NotFound),
        s @ (400..=428 | 430..=499) => Some(TrackerError::Rejected(s)),
        s => Some(TrackerError::Unavailable(format!("HTTP {s}"))),
    }
}
