use super::*;
use crate::ids::TeamId;

const EXAMPLE: &str = include_str!("../../../../switchboard.example.toml");

#[test]
fn the_example_config_is_valid() {
    let c = Config::parse(EXAMPLE, "switchboard.example.toml").expect("example parses");
    assert_eq!(c.slack.api_url, DEFAULT_SLACK_API_URL);
    assert!(c.access("help").is_some_and(|a| a.public));
    assert!(c.jobs.contains_key("backup"));
}

fn error_of(text: &str) -> String {
    match Config::parse(text, "t.toml") {
        Ok(_) => panic!("expected an error for {text:?}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn errors_name_the_key_and_line() {
    let check = |text: &str, expected: &[&str]| {
        let err = error_of(text);
        for e in expected {
            assert!(err.contains(e), "{err:?} should contain {e:?}");
        }
    };
    check(
        "[slack]\napi_url = \"ftp://x\"\n",
        &["t.toml", "line 2", "slack.api_url"],
    );
    check(
        "[slack]\nap_url = \"https://x\"\n",
        &["line 2", "unknown field", "ap_url"],
    );
    check(
        "[commands.deploy]\nallow_users = [\"U1234\", \"bob\"]\n",
        &["line 2", "commands.deploy.allow_users", "\"bob\""],
    );
    check(
        "[commands.deploy]\n",
        &["line 1", "commands.deploy", "nobody could run it"],
    );
    check(
        "[commands.deplyo]\npublic = true\n",
        &["commands.deplyo", "unknown command"],
    );
    check("[jobs.backup]\ncommand = []\n", &["jobs.backup.command"]);
    check(
        "[jobs.backup]\ncommand = [\"dump\", \"{clinet}\"]\n",
        &["jobs.backup.command", "unknown placeholder {clinet}"],
    );
    check("clients = [\"ok\", \"a b\"]\n", &["line 1", "clients"]);
    check("[slack\n", &["line 1"]);
    check("[jenkins]\nurl = \"https://j\"\n", &["job"]);
    check(
        "[[trackers]]\nname = \"t\"\nkind = \"bugzilla\"\nurl = \"https://b\"\n",
        &["line 3", "bugzilla"],
    );
    check(
        "[[trackers]]\nname = \"y\"\nkind = \"yandex\"\nurl = \"https://tracker.yandex.ru\"\n",
        &["trackers.y.org_id"],
    );
    check(
        "[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\n",
        &[
            "line 1",
            "bridge.projects.SHOP.tracker",
            "no [[trackers]] entry",
        ],
    );
    check(
        "[[bridge.projects]]\nkey = \"shop\"\ntracker = \"x\"\nchannel = \"general\"\n",
        &["bridge.projects.shop", "capital letters", "channel"],
    );
}

const JIRA: &str = "[[trackers]]\nname = \"jira\"\nkind = \"jira\"\nurl = \"https://j\"\n";

#[test]
fn a_bridge_project_names_the_repositories_that_may_move_it() {
    let err = error_of(&format!(
        "{JIRA}[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\n"
    ));
    assert!(err.contains("bridge.projects.SHOP.repos"), "{err}");
    let err = error_of(&format!(
        "{JIRA}[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = []\n"
    ));
    assert!(err.contains("bridge.projects.SHOP.repos"), "{err}");
    let err = error_of(&format!(
        "{JIRA}[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = [\"shop\"]\n"
    ));
    assert!(err.contains("\"shop\" is not owner/name"), "{err}");
    let c = Config::parse(
        &format!(
            "{JIRA}[bridge]\nreview_associations = [\"owner\"]\n\
                 [[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = [\"Acme/shop\"]\n"
        ),
        "t.toml",
    )
    .expect("valid");
    assert!(c.bridge.projects[0].allows_repo("acme/Shop"));
    assert!(!c.bridge.projects[0].allows_repo("acme/shop-fork"));
    assert_eq!(c.bridge.review_associations, ["OWNER"]);
    let err = error_of("[bridge]\nreview_associations = [\"ANYONE\"]\n");
    assert!(err.contains("bridge.review_associations"), "{err}");
    let d = Config::parse("", "t").expect("empty");
    assert_eq!(
        d.bridge.review_associations,
        ["OWNER", "MEMBER", "COLLABORATOR"]
    );
}

#[test]
fn team_ids_are_checked_and_admit_only_their_workspaces() {
    let err = error_of("[slack]\nteam_ids = [\"acme\"]\n");
    assert!(err.contains("slack.team_ids"), "{err}");
    let c = Config::parse("[slack]\nteam_ids = [\"T0ACME\"]\n", "t").expect("valid");
    let acme = TeamId::parse("T0ACME").expect("id");
    let other = TeamId::parse("T0OTHER").expect("id");
    assert!(c.slack.admits_team(Some(&acme)));
    assert!(!c.slack.admits_team(Some(&other)));
    assert!(!c.slack.admits_team(None));
    let any = Config::parse("", "t").expect("valid");
    assert!(any.slack.admits_team(Some(&other)) && any.slack.admits_team(None));
}

#[test]
fn public_with_an_allow_list_is_refused() {
    for list in ["allow_users = [\"UANN\"]", "allow_channels = [\"COPS\"]"] {
        let err = error_of(&format!("[commands.deploy]\npublic = true\n{list}\n"));
        assert!(
            err.contains("commands.deploy") && err.contains("public = true"),
            "{err}"
        );
    }
    assert!(Config::parse("[commands.deploy]\npublic = true\n", "t").is_ok());
}

#[test]
fn a_bad_time_zone_is_refused_by_the_one_parser() {
    let err = error_of("[scanner]\ntime_zone = \"Mars/Olympus\"\n");
    assert!(
        err.contains("line 2") && err.contains("scanner.time_zone"),
        "{err}"
    );
    let c = Config::parse("[scanner]\ntime_zone = \"Europe/London\"\n", "t").expect("ok");
    assert_eq!(c.scanner.time_zone, "Europe/London");
}

#[test]
fn jobs_may_name_only_their_own_variables() {
    let c = Config::parse(
        "[jobs.backup]\ncommand = [\"dump\"]\nenv = [\"PGPASSWORD\"]\n",
        "t",
    )
    .expect("valid");
    assert_eq!(c.jobs["backup"].env, ["PGPASSWORD"]);
    for bad in [
        "SLACK_BOT_TOKEN",
        "TRACKER_JIRA_TOKEN",
        "AWS_SECRET_ACCESS_KEY",
        "GITHUB_WEBHOOK_SECRET",
    ] {
        let err = error_of(&format!(
            "[jobs.backup]\ncommand = [\"dump\"]\nenv = [\"{bad}\"]\n"
        ));
        assert!(
            err.contains("jobs.backup.env") && err.contains(bad),
            "{err}"
        );
    }
    let err = error_of("[jobs.backup]\ncommand = [\"dump\"]\nenv = [\"a=b\"]\n");
    assert!(err.contains("jobs.backup.env"), "{err}");
}

#[test]
fn poller_subscriptions_parse_and_default_their_tracker() {
    let c = Config::parse(
        r#"
[[trackers]]
name = "boards"
kind = "trello"
url = "https://trello.com"
[poller]
summary_threshold = 5
post_interval_ms = 0
claim_stale_after_seconds = 5
[[poller.subscriptions]]
board = "5f1c0ffee0ddba11deadbeef"
channel = "C0TEAM"
actions = ["createCard", "updateCard:idList", "createCard"]
lists = [" Done "]
"#,
        "t.toml",
    )
    .expect("valid");
    assert_eq!(c.poller.summary_threshold, 5);
    assert_eq!(
        c.poller.claim_stale_after_seconds, 30,
        "a horizon shorter than one post is raised to the floor"
    );
    let defaults = Config::parse("", "t.toml").expect("empty");
    assert_eq!(defaults.poller.claim_stale_after_seconds, 300);
    assert_eq!(c.poller.post_interval_ms, 0);
    assert_eq!(c.poller.every_seconds, 60);
    let s = &c.poller.subscriptions[0];
    assert_eq!(s.tracker, "boards");
    assert_eq!(s.channel.as_str(), "C0TEAM");
    assert_eq!(
        s.actions,
        [TrelloActionKind::CreateCard, TrelloActionKind::MoveCard]
    );
    assert_eq!(s.lists, ["Done"]);
}

#[test]
fn poller_errors_name_the_key_and_line() {
    let trello = "[[trackers]]\nname = \"t\"\nkind = \"trello\"\nurl = \"https://trello.com\"\n";
    let check = |text: &str, expected: &[&str]| {
        let err = error_of(text);
        for e in expected {
            assert!(err.contains(e), "{err:?} should contain {e:?}");
        }
    };
    check(
        "[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\n",
        &[
            "line 1",
            "poller.subscriptions.abc.tracker",
            "kind \"trello\"",
        ],
    );
    check(
        &format!("{trello}[[poller.subscriptions]]\nboard = \"a/b\"\nchannel = \"general\"\n"),
        &[
            "line 5",
            "poller.subscriptions.board",
            "poller.subscriptions.a/b.channel",
        ],
    );
    check(
        &format!(
            "{trello}[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\nactions = [\"deleteCard\"]\n"
        ),
        &["line 8", "deleteCard", "commentCard"],
    );
    check(
        &format!(
            "{trello}[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\ntracker = \"jira\"\n"
        ),
        &["poller.subscriptions.abc.tracker", "no [[trackers]] entry"],
    );
    check(
        &format!(
            "{trello}[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\n[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\n"
        ),
        &["line 8", "already posts to C1"],
    );
    check(
        "[poller]\nsumary_threshold = 3\n",
        &["line 2", "sumary_threshold"],
    );
}

#[test]
fn defaults_apply() {
    let c = Config::parse("", "empty").expect("empty config is valid");
    assert_eq!(c.slack.command, "/example");
    assert!(c.commands.is_empty());
    assert!(c.jenkins.is_none());
    assert_eq!(c.poller, PollerConfig::default());
}
