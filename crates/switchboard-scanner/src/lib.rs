//! The stale-ticket scanner: lists each configured project's tickets, finds
//! the stale and overdue-review ones, and tells each person about theirs in
//! one digest DM, never twice inside the renotify window or a snooze; once a
//! week it posts a summary to a channel. Shared by its Lambda and by
//! `switchboard scan` / `serve`.

pub mod digest;
mod people;
mod read;
pub mod rules;
mod schedule;
mod send;

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::outbound::PerKey;
use switchboard_core::runtime::Runtime;
use switchboard_core::services::Live;
use switchboard_core::state::StateStore;
use switchboard_trackers::Services;
use tokio::time::Instant;

use crate::digest::Line;
use crate::send::count;

pub use schedule::{summary_due, week_of};

/// Slack: about one message per second per channel.
const SLACK_PER_CHANNEL: f64 = 1.0;

/// How one run behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Send nothing and write nothing; report what would be sent.
    pub dry_run: bool,
    /// The time the rules judge by, epoch seconds (default: now).
    pub now: Option<i64>,
    /// Stop reading trackers at this instant, leaving time to send; the
    /// next run resumes where this one stopped.
    pub stop_reading_at: Option<Instant>,
}

impl Options {
    /// Options for a Lambda invocation whose deadline is `deadline_ms`
    /// (epoch milliseconds): reading stops early enough to send.
    pub fn until_deadline(deadline_ms: u64) -> Self {
        let now_ms = u64::try_from(switchboard_core::clock::now_millis()).unwrap_or(0);
        let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
        // Keep a quarter of the time, at most two minutes, for the messages.
        let reserve = (left / 4).min(Duration::from_secs(120));
        Self {
            stop_reading_at: Some(Instant::now() + left.saturating_sub(reserve)),
            ..Self::default()
        }
    }
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub pages: usize,
    pub tickets: usize,
    pub findings: usize,
    /// Digests sent and the tickets in them.
    pub digests: usize,
    pub tickets_sent: usize,
    /// Tracker users no Slack user matches.
    pub unmapped: Vec<String>,
    pub summary_posted: bool,
    /// Every project was read to its end.
    pub complete: bool,
    /// Problems that skipped a project or a person; the run went on.
    pub problems: Vec<String>,
    /// Dry run: one JSON object per message that would be sent.
    #[serde(skip)]
    pub planned: Vec<serde_json::Value>,
}

impl Report {
    /// The figures, for the Lambda's answer and the logs.
    pub fn summary_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }

    /// The run's one summary line. The pattern names every field, so a
    /// figure added to the report cannot be left out of the log; the
    /// lists are logged as counts.
    fn log(&self, dry_run: bool) {
        let Report {
            pages,
            tickets,
            findings,
            digests,
            tickets_sent,
            unmapped,
            summary_posted,
            complete,
            problems,
            planned,
        } = self;
        tracing::info!(
            pages,
            tickets,
            findings,
            digests,
            tickets_sent,
            unmapped = unmapped.len(),
            summary_posted,
            complete,
            problems = problems.len(),
            planned = planned.len(),
            dry_run,
            "scan finished"
        );
    }
}

/// The scanner and what it talks to.
pub struct Scanner {
    /// The clients are built once per config version, not once per run.
    live: Live<Services>,
    store: Arc<dyn StateStore>,
}

/// One ticket found, waiting to be sent.
struct Finding {
    person: String,
    updated_at: i64,
    line: Line,
}

impl Scanner {
    pub fn new(live: Live<Services>, store: Arc<dyn StateStore>) -> Self {
        Self { live, store }
    }

    /// The scanner with the process's real Slack and trackers.
    pub fn from_runtime(rt: Runtime) -> Self {
        Self::new(Live::from_runtime(&rt, Services::from_config), rt.store)
    }

    /// One scan: read, decide, send (unless dry), post the summary when due.
    pub async fn run(&self, options: &Options) -> anyhow::Result<Report> {
        let (config, services) = self.live.get(self.store.as_ref()).await;
        let mut report = Report::default();
        let scanner = &config.scanner;
        if scanner.projects.is_empty() {
            tracing::info!("no [[scanner.projects]] configured; nothing to scan");
            report.complete = true;
            return Ok(report);
        }
        let now = options
            .now
            .unwrap_or_else(switchboard_core::clock::now_secs);
        let chat = services.chat();

        let findings = self
            .read(&config, &services, options, now, &mut report)
            .await?;
        report.findings = findings.len();
        let counts = count(&findings, scanner.summary_oldest);

        let people = self
            .resolve_people(&config, chat.as_ref(), &findings, &mut report)
            .await;
        let slack_pace = PerKey::per_second(SLACK_PER_CHANNEL);
        self.send_digests(
            &config,
            chat.as_ref(),
            &slack_pace,
            findings,
            &people,
            options,
            now,
            &mut report,
        )
        .await;
        self.maybe_summary(
            &config,
            chat.as_ref(),
            &slack_pace,
            &counts,
            options,
            now,
            &mut report,
        )
        .await;
        report.log(options.dry_run);
        Ok(report)
    }
}

#[cfg(test)]
mod tests;
