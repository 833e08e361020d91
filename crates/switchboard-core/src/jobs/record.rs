//! Job records in the state store: partition `jobs`, sort key
//! `{created_ms:013}#{id}`, so the newest come first in a descending query.

use serde::{Deserialize, Serialize};

use crate::clock::{now_millis, now_secs};
use crate::state::{Condition, Item, Key, Query, StateStore, StoreError};

const PK: &str = "jobs";
/// Records are kept 90 days.
const TTL_SECS: i64 = 90 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    /// The start request went out and its answer was lost: the job may be
    /// running. The worker, or the next `jobs`, settles it.
    Unknown,
    /// Someone cancelled it; its work was stopped.
    Cancelled,
}

impl JobStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Unknown => "unknown (may have started)",
            Self::Cancelled => "cancelled",
        }
    }

    /// Whether the job is over, so nothing can change it any more.
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Succeeded | Self::Failed | Self::Cancelled)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRecord {
    pub id: String,
    pub sk: String,
    pub command: String,
    pub summary: String,
    pub requested_by: String,
    pub channel: String,
    pub status: JobStatus,
    #[serde(default)]
    pub detail: String,
    #[serde(default)]
    pub link: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// Posts made to the command's response_url (Slack allows 5).
    #[serde(default)]
    pub response_posts: u32,
    /// The job's live message in its channel (`chat.update` keeps it
    /// current); `None` when the bot could not post there.
    #[serde(default)]
    pub message_ts: Option<String>,
    /// Who cancelled the job, when someone did.
    #[serde(default)]
    pub cancelled_by: Option<String>,
    /// The newest progress lines, as the live message shows them.
    #[serde(default)]
    pub progress: Vec<String>,
}

impl JobRecord {
    pub fn new(id: &str, command: &str, summary: &str, user: &str, channel: &str) -> Self {
        let now = now_millis();
        Self {
            id: id.to_owned(),
            sk: format!("{now:013}#{id}"),
            command: command.to_owned(),
            summary: summary.to_owned(),
            requested_by: user.to_owned(),
            channel: channel.to_owned(),
            status: JobStatus::Queued,
            detail: String::new(),
            link: None,
            created_at: now / 1000,
            updated_at: now / 1000,
            response_posts: 0,
            message_ts: None,
            cancelled_by: None,
            progress: Vec::new(),
        }
    }
}

/// Typed access to job records over any state store.
pub struct JobStore<'a> {
    store: &'a dyn StateStore,
}

impl<'a> JobStore<'a> {
    pub fn new(store: &'a dyn StateStore) -> Self {
        Self { store }
    }

    pub async fn save(&self, record: &JobRecord) -> Result<(), StoreError> {
        let mut record = record.clone();
        record.updated_at = now_secs();
        let value = serde_json::to_string(&record).map_err(anyhow::Error::from)?;
        self.store
            .put(
                Item {
                    key: Key::new(PK, record.sk.clone()),
                    value,
                    expires_at: Some(record.created_at + TTL_SECS),
                },
                Condition::None,
            )
            .await
    }

    /// Changes a record by compare-and-set, so a cancel and the worker's
    /// own last word cannot overwrite each other: `change` sees the stored
    /// record and returns whether to write it. Gives the record as it
    /// stands afterwards and whether `change` was applied.
    pub async fn update(
        &self,
        sk: &str,
        mut change: impl FnMut(&mut JobRecord) -> bool,
    ) -> Result<Option<(JobRecord, bool)>, StoreError> {
        // A few rounds: each lost race means the other writer moved on.
        for _ in 0..5 {
            let key = Key::new(PK, sk);
            let Some(item) = self.store.get(&key).await? else {
                return Ok(None);
            };
            let mut record: JobRecord =
                serde_json::from_str(&item.value).map_err(anyhow::Error::from)?;
            if !change(&mut record) {
                return Ok(Some((record, false)));
            }
            record.updated_at = now_secs();
            let value = serde_json::to_string(&record).map_err(anyhow::Error::from)?;
            let written = crate::state::once::put_confirmed(
                self.store,
                Item {
                    key,
                    value,
                    expires_at: Some(record.created_at + TTL_SECS),
                },
                Condition::ValueIs(item.value),
            )
            .await;
            match written {
                Ok(()) => return Ok(Some((record, true))),
                Err(StoreError::ConditionFailed) => continue,
                Err(e) => return Err(e),
            }
        }
        Err(StoreError::ConditionFailed)
    }

    pub async fn load(&self, sk: &str) -> Result<Option<JobRecord>, StoreError> {
        let Some(item) = self.store.get(&Key::new(PK, sk)).await? else {
            return Ok(None);
        };
        Ok(Some(
            serde_json::from_str(&item.value).map_err(anyhow::Error::from)?,
        ))
    }

    /// The newest records first; unreadable ones are skipped and logged.
    pub async fn recent(&self, limit: usize) -> Result<Vec<JobRecord>, StoreError> {
        let items = self
            .store
            .query(Query::partition(PK).descending().limit(limit))
            .await?;
        Ok(items
            .into_iter()
            .filter_map(|i| match serde_json::from_str(&i.value) {
                Ok(r) => Some(r),
                Err(e) => {
                    tracing::warn!(sk = %i.key.sk, error = %e, "skipping unreadable job record");
                    None
                }
            })
            .collect())
    }

    /// The newest `limit` jobs started in `channel` or by `user`, looked
    /// for among the newest `SCAN_WINDOW` jobs of everyone.
    pub async fn visible_to(
        &self,
        channel: &str,
        user: &str,
        limit: usize,
    ) -> Result<Vec<JobRecord>, StoreError> {
        let mut records = self.recent(SCAN_WINDOW).await?;
        records.retain(|r| r.channel == channel || r.requested_by == user);
        records.truncate(limit);
        Ok(records)
    }
}

/// How many of the newest jobs `visible_to` reads; older ones are not shown.
const SCAN_WINDOW: usize = 500;

#[cfg(test)]
mod tests;
