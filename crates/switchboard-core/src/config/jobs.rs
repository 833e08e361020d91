//! `[jobs.*]` and `clients`: the long jobs' command lines and the client
//! names they may be given.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, MAX_TIMEOUT_MINUTES, default_timeout_minutes};

/// A command line the worker runs for a long job; `{client}`, `{from}`,
/// `{user}` and `{job_id}` in any argument are replaced, never passed
/// through a shell.
#[derive(Debug, Clone)]
pub struct JobTemplate {
    pub command: Vec<String>,
    pub timeout_minutes: u64,
    /// Environment variables passed to the job besides `PATH`, `HOME` and
    /// `LANG`; nothing else of Switchboard's environment reaches it.
    pub env: Vec<String>,
}

/// What a job always gets of its parent's environment.
pub const JOB_BASE_ENV: [&str; 3] = ["PATH", "HOME", "LANG"];

/// Whether an environment variable holds one of Switchboard's own
/// credentials, which no job may be given.
pub fn is_credential_var(name: &str) -> bool {
    name.starts_with("SLACK_")
        || name.starts_with("TRACKER_")
        || name.starts_with("AWS_")
        || name.starts_with("JENKINS_")
        || name.starts_with("SWITCHBOARD_")
        || name.ends_with("_WEBHOOK_SECRET")
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJob {
    command: Vec<String>,
    #[serde(default = "default_timeout_minutes")]
    timeout_minutes: u64,
    #[serde(default)]
    env: Vec<String>,
}

/// The first `{name}` in an argument that is not a known placeholder.
fn unknown_placeholder(arg: &str) -> Option<String> {
    let mut rest = arg;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let name = &after[..end];
        if !["client", "from", "user", "job_id"].contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[end + 1..];
    }
    None
}

/// The long jobs the worker can run from a `[jobs.*]` template.
pub const KNOWN_JOBS: [&str; 2] = ["backup", "restore"];

pub(super) fn check_clients(raw: &[Spanned<String>], c: &mut Checker<'_>) -> Vec<String> {
    let mut clients = Vec::new();
    for client in raw {
        if let Err(e) = crate::jobs::check_argument(client.get_ref()) {
            c.fail(client.span(), "clients", e);
        }
        clients.push(client.get_ref().clone());
    }
    clients
}

pub(super) fn check(
    raw: &BTreeMap<String, Spanned<RawJob>>,
    c: &mut Checker<'_>,
) -> BTreeMap<String, JobTemplate> {
    let mut jobs = BTreeMap::new();
    for (name, job) in raw {
        let key = format!("jobs.{name}");
        if !KNOWN_JOBS.contains(&name.as_str()) {
            c.fail(
                job.span(),
                &key,
                format!("unknown job; known jobs: {}", KNOWN_JOBS.join(", ")),
            );
        }
        let j = job.get_ref();
        if j.command.is_empty() || j.command[0].trim().is_empty() {
            c.fail(
                job.span(),
                &format!("{key}.command"),
                "must name a program to run",
            );
        }
        for arg in &j.command {
            if let Some(bad) = unknown_placeholder(arg) {
                c.fail(
                        job.span(),
                        &format!("{key}.command"),
                        format!(
                            "unknown placeholder {{{bad}}}; known: {{client}}, {{from}}, {{user}}, {{job_id}}"
                        ),
                    );
            }
        }
        for var in &j.env {
            let well_formed = !var.is_empty()
                && !var.starts_with(|ch: char| ch.is_ascii_digit())
                && var
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_');
            if !well_formed {
                c.fail(
                    job.span(),
                    &format!("{key}.env"),
                    format!("{var:?} is not a variable name like PGPASSWORD"),
                );
            } else if is_credential_var(var) {
                c.fail(
                    job.span(),
                    &format!("{key}.env"),
                    format!("{var} is one of Switchboard's own credentials; jobs never get them"),
                );
            }
        }
        jobs.insert(
            name.clone(),
            JobTemplate {
                command: j.command.clone(),
                timeout_minutes: j.timeout_minutes.clamp(1, MAX_TIMEOUT_MINUTES),
                env: j.env.clone(),
            },
        );
    }
    jobs
}
