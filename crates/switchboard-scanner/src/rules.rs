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
mod tests {
    use super::*;

    const NOW: i64 = 1_790_000_000;

    fn rules() -> ScanProject {
        ScanProject {
            tracker: "cb".into(),
            project: "web".into(),
            query: String::new(),
            stale_days: 60,
            review_days: 7,
            review_statuses: vec!["QA".into(), "Deployed".into()],
            closed_statuses: vec!["Invalid".into()],
            current_milestone: Some("Sprint 12".into()),
            stale_current_milestone_only: false,
            review_current_milestone_only: false,
            exempt_statuses: vec!["Blocked".into()],
            exempt_labels: vec!["pinned".into()],
            exempt_milestones: vec!["Someday".into()],
            exempt_assignees: vec!["bot".into()],
        }
    }

    fn ticket(status: &str, age_secs: i64) -> ListedTicket {
        ListedTicket {
            key: "1".into(),
            status: status.into(),
            assignee: Some("alice".into()),
            reporter: Some("bob".into()),
            milestone: Some("Sprint 12".into()),
            updated_at: Some(NOW - age_secs),
            ..ListedTicket::default()
        }
    }

    #[test]
    fn the_rule_table() {
        let d = DAY;
        let stale = |days| Some(Reason::Stale { days });
        let review = |s: &str, days| {
            Some(Reason::Review {
                status: s.into(),
                days,
            })
        };
        let cases: Vec<(&str, ListedTicket, Option<Reason>)> = vec![
            ("exactly 60 days is stale", ticket("New", 60 * d), stale(60)),
            (
                "a second short of 60 days is not",
                ticket("New", 60 * d - 1),
                None,
            ),
            ("long stale", ticket("In progress", 400 * d), stale(400)),
            ("exactly 7 days in QA", ticket("QA", 7 * d), review("QA", 7)),
            ("6 days 23 h in QA is not", ticket("QA", 7 * d - 3600), None),
            (
                "status case does not matter",
                ticket("deployed", 9 * d),
                review("deployed", 9),
            ),
            (
                "a review status is not also stale",
                ticket("QA", 100 * d),
                review("QA", 100),
            ),
            (
                "closed by the tracker",
                ListedTicket {
                    closed: true,
                    ..ticket("Done", 300 * d)
                },
                None,
            ),
            ("closed by the config", ticket("Invalid", 300 * d), None),
            ("exempt status", ticket("Blocked", 300 * d), None),
            (
                "exempt label",
                ListedTicket {
                    labels: vec!["x".into(), "Pinned".into()],
                    ..ticket("New", 300 * d)
                },
                None,
            ),
            (
                "exempt milestone",
                ListedTicket {
                    milestone: Some("someday".into()),
                    ..ticket("New", 300 * d)
                },
                None,
            ),
            (
                "exempt assignee",
                ListedTicket {
                    assignee: Some("bot".into()),
                    ..ticket("New", 300 * d)
                },
                None,
            ),
            (
                "no update time says nothing",
                ListedTicket {
                    updated_at: None,
                    ..ticket("New", 0)
                },
                None,
            ),
            (
                "an update in the future is not stale",
                ticket("New", -5 * d),
                None,
            ),
        ];
        for (name, t, want) in cases {
            assert_eq!(classify(&t, &rules(), NOW), want, "{name}");
        }
    }

    #[test]
    fn the_current_milestone_filter() {
        let mut r = rules();
        r.stale_current_milestone_only = true;
        r.review_current_milestone_only = true;
        let other = |status: &str, age| ListedTicket {
            milestone: Some("Sprint 11".into()),
            ..ticket(status, age)
        };
        let none = |status: &str, age| ListedTicket {
            milestone: None,
            ..ticket(status, age)
        };
        assert!(classify(&ticket("New", 90 * DAY), &r, NOW).is_some());
        assert_eq!(classify(&other("New", 90 * DAY), &r, NOW), None);
        assert_eq!(classify(&none("New", 90 * DAY), &r, NOW), None);
        assert!(classify(&ticket("QA", 9 * DAY), &r, NOW).is_some());
        assert_eq!(classify(&other("QA", 9 * DAY), &r, NOW), None);
        // Only the review rule filtered: stale tickets elsewhere still count.
        r.stale_current_milestone_only = false;
        assert!(classify(&other("New", 90 * DAY), &r, NOW).is_some());
        assert_eq!(classify(&other("QA", 9 * DAY), &r, NOW), None);
    }

    #[test]
    fn the_assignee_else_the_reporter_is_told() {
        let t = ticket("New", 0);
        assert_eq!(recipient(&t), Some("alice"));
        let t = ListedTicket {
            assignee: Some("  ".into()),
            ..t
        };
        assert_eq!(recipient(&t), Some("bob"));
        let t = ListedTicket {
            assignee: None,
            reporter: None,
            ..t
        };
        assert_eq!(recipient(&t), None);
    }
}
