//! Listing a project's tickets page by page, for the scanner. Each tracker
//! that can list implements [`TicketLister`] in its own module; this one
//! holds the shared shape.

use async_trait::async_trait;

use crate::TrackerError;

/// One ticket as a listing shows it: what the scanner's rules read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ListedTicket {
    /// The tracker's own id: `12`.
    pub key: String,
    /// What people call it: `#12`.
    pub display_id: String,
    pub url: String,
    pub summary: String,
    pub status: String,
    /// The tracker says this status counts as closed (Codebase's
    /// `treat-as-closed`); trackers that cannot say leave it false.
    pub closed: bool,
    pub assignee: Option<String>,
    pub reporter: Option<String>,
    pub milestone: Option<String>,
    /// Codebase tags, Trac keywords.
    pub labels: Vec<String>,
    /// Last change, epoch seconds.
    pub updated_at: Option<i64>,
}

/// A tracker that can list tickets.
#[async_trait]
pub trait TicketLister: Send + Sync {
    /// Page `page` (counted from 1) of the tickets in `project` that match
    /// the tracker-specific `query` (empty for the default: open tickets).
    /// `None` once past the last page.
    async fn list_page(
        &self,
        project: &str,
        query: &str,
        page: u32,
    ) -> Result<Option<Vec<ListedTicket>>, TrackerError>;

    /// How many tickets a full page holds; a shorter page is the last.
    fn page_size(&self) -> usize;
}

/// Splits tags or keywords, which trackers send as one string separated by
/// spaces or commas.
pub(crate) fn split_labels(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests;
