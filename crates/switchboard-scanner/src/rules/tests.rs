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
