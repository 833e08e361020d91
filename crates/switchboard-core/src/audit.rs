//! The command audit log: who ran what, where, when, and how it ended.
//! Partition `audit#YYYY-MM`, sort key `{ms:013}#{random}`.

use serde::{Deserialize, Serialize};

use crate::clock::{format_utc, now_millis};
use crate::ids::JobId;
use crate::state::{Condition, Item, Key, Query, StateStore, StoreError};

/// Audit entries are kept for 400 days.
const TTL_SECS: i64 = 400 * 86_400;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: i64,
    pub team: String,
    pub user: String,
    pub channel: String,
    pub command: String,
    pub text: String,
    /// An [`Outcome`]'s name.
    pub outcome: String,
    pub detail: String,
}

/// How a command or a press ended, as the audit log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Ok,
    Denied,
    UserError,
    InternalError,
    /// A confirmation prompt was shown; nothing ran yet.
    Asked,
    Confirmed,
    Cancelled,
    Expired,
    /// A second press of a single-use button.
    Duplicate,
    /// A cancel that came after the job ended.
    TooLate,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Denied => "denied",
            Self::UserError => "user_error",
            Self::InternalError => "internal_error",
            Self::Asked => "asked",
            Self::Confirmed => "confirmed",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Duplicate => "duplicate",
            Self::TooLate => "too_late",
        }
    }
}

fn month_pk(ms: i64) -> String {
    // format_utc gives "YYYY-MM-DD HH:MM UTC"; the month is its first 7 bytes.
    format!("audit#{}", &format_utc(ms / 1000)[..7])
}

/// Writes `entry`, logging a failure instead of returning it: an audit
/// failure must not hide the answer, but it must be seen.
pub async fn record(store: &dyn StateStore, entry: &AuditEntry) {
    if let Err(e) = write(store, entry).await {
        tracing::error!(
            error = format!("{:#}", anyhow::Error::new(e)),
            "could not write the audit log"
        );
    }
}

async fn write(store: &dyn StateStore, entry: &AuditEntry) -> Result<(), StoreError> {
    let ms = entry.at * 1000 + now_millis() % 1000;
    let value = serde_json::to_string(entry).map_err(anyhow::Error::from)?;
    store
        .put(
            Item {
                key: Key::new(month_pk(ms), format!("{ms:013}#{}", JobId::new_random())),
                value,
                expires_at: Some(entry.at + TTL_SECS),
            },
            Condition::Absent,
        )
        .await
}

/// The newest entries of the current month, newest first.
pub async fn recent(store: &dyn StateStore, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
    let items = store
        .query(
            Query::partition(&month_pk(now_millis()))
                .descending()
                .limit(limit),
        )
        .await?;
    Ok(items
        .iter()
        .filter_map(|i| serde_json::from_str(&i.value).ok())
        .collect())
}

#[cfg(test)]
mod tests;
