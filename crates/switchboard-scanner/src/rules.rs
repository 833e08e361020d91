//! Which tickets need someone's attention, and why. Pure functions of the
//! ticket, the project's rules and the time, so the table tests cover them.

use switchboard_core::config::ScanProject;
use switchboard_trackers::ListedTicket;

const DAY: i64 = 86_400;

/// Why a ticket is reported.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum Reason {
    /// Open and untouched for `days`.
    Stale { days: i64 },
    /// In a review status (QA, Deployed…) for `days`.
    Review { status: String, days: i64 },
}

impl Reason {
    /// The short name the ledger and logs use.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Stale { .. } => "stale",
            Self::Review { .. } => "review",
        }
    }

    pub fn days(&self) -> i64 {
        match self {
            Self::Stale { days } | Self::Review { days, .. } => *days,
        }
    }

    /// How a person reads it.
    pub fn describe(&self) -> String {
        match self {
            Self::Stale { days } => format!("no update for {days} days"),
            Self::Review { status, days } => format!("in {status} for {days} days"),
        }
    }
}

fn same(a: &str, b: &str) -> bool {
    a.trim().eq_ignore_ascii_case(b.trim())
}

fn listed(list: &[String], value: &str) -> bool {
    list.iter().any(|v| same(v, value))
}

/// The reason to report `t` under `rules` at `now`, or `None`.
///
/// A ticket in a review status is judged by the review rule only: "in QA
/// for 8 days" says more than "stale". Listings give the last update, not
/// when the status was entered, so the update time stands for both: any
/// change since entering review restarts the count, which errs towards
/// telling people less.
pub fn classify(t: &ListedTicket, rules: &ScanProject, now: i64) -> Option<Reason> {
    if t.closed || listed(&rules.closed_statuses, &t.status) {
        return None;
    }
    if listed(&rules.exempt_statuses, &t.status)
        || t.labels.iter().any(|l| listed(&rules.exempt_labels, l))
        || t.milestone
            .as_deref()
            .is_some_and(|m| listed(&rules.exempt_milestones, m))
        || t.assignee
            .as_deref()
            .is_some_and(|a| listed(&rules.exempt_assignees, a))
    {
        return None;
    }
    // Without an update time the age is unknown; say nothing rather than guess.
    let updated = t.updated_at?;
    let days = (now - updated).div_euclid(DAY);
    let in_current = match (&rules.current_milestone, &t.milestone) {
        (Some(current), Some(m)) => same(current, m),
        _ => false,
    };
    if listed(&rules.review_statuses, &t.status) {
        let wanted = !rules.review_current_milestone_only || in_current;
        return (wanted && days >= i64::from(rules.review_days)).then(|| Reason::Review {
            status: t.status.clone(),
            days,
        });
    }
    let wanted = !rules.stale_current_milestone_only || in_current;
    (wanted && days >= i64::from(rules.stale_days)).then_some(Reason::Stale { days })
}

/// Who hears about a ticket: the assignee, else the reporter.
pub fn recipient(t: &ListedTicket) -> Option<&str> {
    fn named(s: Option<&str>) -> Option<&str> {
        s.map(str::trim).filter(|s| !s.is_empty())
    }
    named(t.assignee.as_deref()).or_else(|| named(t.reporter.as_deref()))
}

#[cfg(test)]
mod tests;
