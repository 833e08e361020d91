//! `[unfurl]`: limits for link unfurling.

use serde::Deserialize;

/// Limits for link unfurling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfurlConfig {
    /// The same link in the same channel is not unfurled again this soon.
    pub repeat_minutes: u64,
    /// A message with more links than this unfurls none.
    pub max_links: usize,
    /// How long fetching may take before Slack is answered regardless
    /// (at most 2000, leaving time for the claims and `chat.unfurl`).
    pub budget_ms: u64,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawUnfurl {
    repeat_minutes: Option<u64>,
    max_links: Option<usize>,
    budget_ms: Option<u64>,
}

pub(super) fn check(raw: &RawUnfurl) -> UnfurlConfig {
    UnfurlConfig {
        repeat_minutes: raw.repeat_minutes.unwrap_or(30).min(7 * 24 * 60),
        max_links: raw.max_links.unwrap_or(3).max(1),
        budget_ms: raw.budget_ms.unwrap_or(2000).clamp(100, 2000),
    }
}
