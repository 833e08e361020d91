//! Long jobs: what the dispatcher hands to the worker, the record each job
//! keeps in the state store, and the runners that start the worker.

mod ecs;
mod local;
mod record;

pub use ecs::{EcsRunner, EcsSettings};
pub use local::LocalRunner;
pub use record::{JobRecord, JobStatus, JobStore};

/// How long a start whose outcome is unknown may take to show up before
/// `jobs` concludes it never ran.
pub const UNKNOWN_SETTLES_AFTER_SECS: i64 = 120;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::ids::{ChannelId, JobId, UserId};
use crate::slack::ResponseUrl;

/// The environment variable that carries a `JobSpec` to the worker.
pub const JOB_VAR: &str = "SWITCHBOARD_JOB";

/// What the worker is asked to do. This is the hand-off format between the
/// dispatcher and the worker (JSON in `SWITCHBOARD_JOB`), so it is plain
/// data; its ids are read back through their `parse`, so a spec with a
/// malformed one is refused before any work starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSpec {
    pub id: JobId,
    /// The job record's sort key, so the worker can update it.
    pub record_sk: String,
    pub requested_by: UserId,
    pub channel: ChannelId,
    pub response_url: ResponseUrl,
    pub work: Work,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Work {
    /// Wait for a Jenkins build already queued by the dispatcher; when it
    /// names an issue, a bench URL the build reports is written to it.
    JenkinsBuild {
        queue_url: String,
        summary: String,
        #[serde(default)]
        issue: Option<String>,
    },
    /// Find a build whose trigger got no answer (it may or may not be
    /// queued), then follow it as `JenkinsBuild` does; when Jenkins shows
    /// none within `look_secs`, nothing was deployed.
    JenkinsFind {
        job: String,
        params: Vec<(String, String)>,
        /// When the trigger was sent, epoch milliseconds, less a margin for
        /// the two clocks.
        since_ms: i64,
        look_secs: u64,
        summary: String,
        #[serde(default)]
        issue: Option<String>,
    },
    /// Run a configured program with these arguments, no shell involved.
    Command { name: String, argv: Vec<String> },
}

impl JobSpec {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        Ok(serde_json::from_str(text)?)
    }
}

/// Why a job's worker was not known to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The runner said no: nothing can have run.
    #[error("{0:#}")]
    Refused(anyhow::Error),
    /// The request went out and no answer came back: the job may be running.
    #[error("{0:#}")]
    Unknown(anyhow::Error),
}

impl From<anyhow::Error> for StartError {
    fn from(e: anyhow::Error) -> Self {
        Self::Refused(e)
    }
}

/// Starts the worker for a job somewhere; returns a handle to show people
/// (an ECS task ARN, a process id).
#[async_trait]
pub trait JobRunner: Send + Sync {
    async fn start(&self, spec: &JobSpec) -> Result<String, StartError>;

    /// Looks for a job's worker by job id, after a start whose outcome was
    /// unknown: its handle if it started. Runners whose starts are never
    /// unknown (a local child process) have nothing to look up.
    async fn find(&self, _job_id: &str) -> anyhow::Result<Option<String>> {
        Ok(None)
    }

    /// Stops a job's worker (and everything it started), found by job id.
    /// Ok(true) when something was stopped; Ok(false) when nothing of it runs.
    async fn stop(&self, _job_id: &str) -> anyhow::Result<bool> {
        Ok(false)
    }
}

/// Checks a value a user gives for a job argument (client, branch,
/// snapshot): printable, no whitespace or shell-meaningful characters, so it
/// reads the same in logs, Jenkins and the worker's argv.
pub fn check_argument(value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > 100 {
        return Err(format!("{value:?} must be 1 to 100 characters"));
    }
    if value.starts_with('-') || value.starts_with('/') {
        return Err(format!("{value:?} must not start with '-' or '/'"));
    }
    if let Some(bad) = value
        .chars()
        .find(|c| !(c.is_alphanumeric() || "-_./:@+".contains(*c)))
    {
        return Err(format!(
            "{value:?} contains {bad:?}; use letters, digits and - _ . / : @ +"
        ));
    }
    if value.split('/').any(|seg| seg == "..") {
        return Err(format!("{value:?} must not contain '..'"));
    }
    Ok(())
}

/// Fills `{name}` placeholders in a configured command line.
pub fn fill_template(template: &[String], values: &[(&str, &str)]) -> Vec<String> {
    template
        .iter()
        .map(|arg| {
            values.iter().fold(arg.clone(), |acc, (k, v)| {
                acc.replace(&format!("{{{k}}}"), v)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
