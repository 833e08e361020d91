//! `jobs`: the jobs started in the asker's channel and their own, with
//! starts whose outcome was unknown settled on the way.

use switchboard_core::clock::{format_utc, now_secs};
use switchboard_core::ids::short_job_id as short;
use switchboard_core::jobs::{JobRecord, JobStatus, JobStore, UNKNOWN_SETTLES_AFTER_SECS};
use switchboard_core::slack::{Message, SlashCommand, escape};

use crate::handler::{Dispatcher, RunError};

impl Dispatcher {
    /// Lists the jobs started in the asker's channel and their own, so a
    /// private channel's jobs stay in it.
    pub(crate) async fn list_jobs(
        &self,
        cmd: &SlashCommand,
        limit: usize,
    ) -> Result<Message, RunError> {
        let records = JobStore::new(self.store.as_ref())
            .visible_to(cmd.channel.as_str(), cmd.user.as_str(), limit)
            .await?;
        let records = self.settle_unknown(records).await;
        if records.is_empty() {
            return Ok(Message::ephemeral("No jobs yet."));
        }
        let lines: Vec<String> = records
            .iter()
            .map(|r| {
                let link = r
                    .link
                    .as_ref()
                    .map(|l| format!(" <{l}|link>"))
                    .unwrap_or_default();
                format!(
                    "`{}` *{}* {} — {} — <@{}> — {}{link}",
                    short(&r.id),
                    r.command,
                    escape(&r.summary),
                    status_text(r, now_secs()),
                    r.requested_by,
                    format_utc(r.created_at),
                )
            })
            .collect();
        Ok(Message::ephemeral(format!(
            "Recent jobs:\n{}",
            lines.join("\n")
        )))
    }

    /// Settles jobs whose start was unknown: a worker found by the job id
    /// started; none found once ECS has had time to show it never ran.
    async fn settle_unknown(&self, mut records: Vec<JobRecord>) -> Vec<JobRecord> {
        let store = JobStore::new(self.store.as_ref());
        let now = now_secs();
        for r in records
            .iter_mut()
            .filter(|r| r.status == JobStatus::Unknown)
        {
            let (status, detail) = match self.jobs.find(&r.id).await {
                Ok(Some(handle)) => (JobStatus::Running, format!("started as {handle}")),
                Ok(None) if now - r.created_at > UNKNOWN_SETTLES_AFTER_SECS => (
                    JobStatus::Failed,
                    "the job runner has no trace of it: it never started".to_owned(),
                ),
                Ok(None) => continue,
                Err(e) => {
                    tracing::warn!(job = %r.id, error = format!("{e:#}"), "could not look the job up");
                    continue;
                }
            };
            // The worker may have reported meanwhile; its word wins.
            match store.load(&r.sk).await {
                Ok(Some(fresh)) if fresh.status == JobStatus::Unknown => {
                    r.status = status;
                    r.detail = detail;
                    if let Err(e) = store.save(r).await {
                        tracing::warn!(job = %r.id, error = %e, "could not settle the job");
                    }
                }
                Ok(Some(fresh)) => *r = fresh,
                Ok(None) | Err(_) => {}
            }
        }
        records
    }
}

/// A job that has not moved for this long has probably lost its worker.
const STALE_AFTER_SECS: i64 = 15 * 60;

/// The status as `jobs` shows it; a job stuck queued or running without an
/// update is flagged, since its worker may have died before reporting.
fn status_text(r: &JobRecord, now: i64) -> String {
    match r.status {
        JobStatus::Queued | JobStatus::Running if now - r.updated_at > STALE_AFTER_SECS => {
            format!(
                "{} (no news for {} min)",
                r.status.label(),
                (now - r.updated_at) / 60
            )
        }
        JobStatus::Cancelled => match &r.cancelled_by {
            Some(by) => format!("cancelled by <@{by}>"),
            None => JobStatus::Cancelled.label().to_owned(),
        },
        status => status.label().to_owned(),
    }
}

#[cfg(test)]
mod tests;
