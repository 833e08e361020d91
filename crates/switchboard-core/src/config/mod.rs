//! `switchboard.toml`: one typed tree, read once, checked with errors that
//! name the key and the line. Each section lives in its own file with its
//! raw (serde) shape, its typed shape and its check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

mod bridge;
mod commands;
mod jenkins;
mod jobs;
mod poller;
mod scanner;
mod slack;
mod state;
mod trackers;
mod unfurl;

pub use bridge::{BridgeConfig, BridgeProject, GITHUB_ASSOCIATIONS};
pub use commands::{Access, KNOWN_COMMANDS};
pub use jenkins::JenkinsConfig;
pub use jobs::{JOB_BASE_ENV, JobTemplate, KNOWN_JOBS, is_credential_var};
pub use poller::{
    MAX_LIST_NAME, PollerConfig, Subscription, TrelloActionKind, board_problem, check_lists,
    unique_actions,
};
pub use scanner::{ScanProject, ScannerConfig};
pub use slack::{DEFAULT_SLACK_API_URL, SlackConfig};
pub use state::StateConfig;
pub use trackers::{TracMode, TrackerConfig, TrackerKind};
pub use unfurl::UnfurlConfig;

/// A problem with a configuration file, phrased for the person editing it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub slack: SlackConfig,
    pub jenkins: Option<JenkinsConfig>,
    pub clients: Vec<String>,
    pub jobs: BTreeMap<String, JobTemplate>,
    pub commands: BTreeMap<String, Access>,
    pub state: StateConfig,
    pub trackers: Vec<TrackerConfig>,
    pub unfurl: UnfurlConfig,
    pub bridge: BridgeConfig,
    pub scanner: ScannerConfig,
    pub poller: PollerConfig,
    /// The text it was parsed from, so it can be pushed and compared.
    pub source: String,
}

// The file's shape. Spans are kept where a later check may need to point at
// a line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    slack: slack::RawSlack,
    jenkins: Option<jenkins::RawJenkins>,
    #[serde(default)]
    clients: Vec<Spanned<String>>,
    #[serde(default)]
    jobs: BTreeMap<String, Spanned<jobs::RawJob>>,
    #[serde(default)]
    commands: BTreeMap<String, Spanned<commands::RawAccess>>,
    #[serde(default)]
    state: state::RawState,
    #[serde(default)]
    trackers: Vec<Spanned<trackers::RawTracker>>,
    #[serde(default)]
    unfurl: unfurl::RawUnfurl,
    #[serde(default)]
    bridge: bridge::RawBridge,
    #[serde(default)]
    scanner: scanner::RawScanner,
    #[serde(default)]
    poller: poller::RawPoller,
}

/// No job or build is waited for longer than a day.
const MAX_TIMEOUT_MINUTES: u64 = 24 * 60;

fn default_timeout_minutes() -> u64 {
    60
}

struct Checker<'a> {
    origin: &'a str,
    text: &'a str,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn fail(&mut self, span: std::ops::Range<usize>, key: &str, message: impl std::fmt::Display) {
        let line = self.line(span);
        self.problems.push(format!("line {line}: {key}: {message}"));
    }

    fn url(&mut self, value: &Spanned<String>, key: &str) -> String {
        let v = value.get_ref().trim_end_matches('/').to_owned();
        if !(v.starts_with("https://") || v.starts_with("http://")) {
            self.fail(value.span(), key, format!("{v:?} is not an http(s) URL"));
        }
        v
    }

    fn ids<T>(
        &mut self,
        values: &[Spanned<String>],
        key: &str,
        parse: impl Fn(&str) -> Result<T, crate::ids::IdError>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for v in values {
            match parse(v.get_ref()) {
                Ok(id) => out.push(id),
                Err(e) => self.fail(v.span(), key, e),
            }
        }
        out
    }
}

impl Config {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks configuration text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            origin: origin.to_owned(),
            message: describe_toml_error(&e, text),
        })?;
        let mut c = Checker {
            origin,
            text,
            problems: Vec::new(),
        };

        let slack = slack::check(&raw.slack, &mut c);
        let jenkins = raw.jenkins.as_ref().map(|j| jenkins::check(j, &mut c));
        let clients = jobs::check_clients(&raw.clients, &mut c);
        let jobs = jobs::check(&raw.jobs, &mut c);
        let commands = commands::check(&raw.commands, &mut c);
        let trackers = trackers::check(&raw.trackers, &mut c);
        let unfurl = unfurl::check(&raw.unfurl);
        let bridge = bridge::check(&raw.bridge, &mut c, &trackers);
        let scanner = scanner::check(&raw.scanner, &mut c, &trackers);
        let poller = poller::check(&raw.poller, &mut c, &trackers);

        if c.problems.is_empty() {
            Ok(Self {
                slack,
                jenkins,
                clients,
                jobs,
                commands,
                state: state::check(raw.state),
                trackers,
                unfurl,
                bridge,
                scanner,
                poller,
                source: text.to_owned(),
            })
        } else {
            Err(ConfigError::Invalid {
                origin: c.origin.to_owned(),
                message: c.problems.join("\n"),
            })
        }
    }

    /// The access rule for a command; `None` means it has no entry.
    pub fn access(&self, command: &str) -> Option<&Access> {
        self.commands.get(command)
    }
}

/// Turns toml's multi-line report into one line that names the line, the key
/// and the problem.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().to_owned();
    match e.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line = text.as_bytes()[..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            let snippet: String = text[start..]
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            format!("line {line}: {message} (at `{}`)", snippet.trim())
        }
        None => message,
    }
}

#[cfg(test)]
mod tests {
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
        let trello =
            "[[trackers]]\nname = \"t\"\nkind = \"trello\"\nurl = \"https://trello.com\"\n";
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
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    const TABLES: &[&str] = &[
        "slack",
        "jenkins",
        "jobs.backup",
        "jobs.restore",
        "commands.help",
        "commands.deploy",
        "commands.jobs",
        "unfurl",
        "[trackers]",
        "bridge",
        "[bridge.projects]",
        "scanner",
        "scanner.users",
        "[scanner.projects]",
        "poller",
        "[poller.subscriptions]",
        "state",
    ];

    const KEYS: &[&str] = &[
        "api_url",
        "command",
        "url",
        "job",
        "public",
        "allow_users",
        "allow_channels",
        "deny_users",
        "name",
        "kind",
        "trac_mode",
        "tracker",
        "project",
        "key",
        "channel",
        "board",
        "actions",
        "lists",
        "stale_days",
        "summary_day",
        "summary_hour",
        "time_zone",
        "timeout_minutes",
        "max_links",
        "path",
        "clients",
        "repos",
        "review_associations",
        "team_ids",
        "env",
    ];

    const VALUES: &[&str] = &[
        "https://example.com",
        "trac",
        "codebase",
        "trello",
        "jira",
        "yandex",
        "U1",
        "C1",
        "monday",
        "Europe/London",
        "{client}",
        "commentCard",
        "jsonrpc",
    ];

    fn value() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            prop::word(VALUES).prop_map(|s| format!("{s:?}")),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            Just("1979-05-27T07:32:00Z".to_owned()),
            Just("nan".to_owned()),
        ];
        prop_oneof![
            3 => scalar.clone(),
            1 => proptest::collection::vec(scalar, 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        ]
    }

    /// A TOML document of the config's own tables and keys with random
    /// values: mostly valid TOML, so the checks after parsing are reached.
    fn document() -> impl Strategy<Value = String> {
        let entry = (prop::word(KEYS), value()).prop_map(|(k, v)| format!("{k:?} = {v}\n"));
        let table = (
            proptest::sample::select(TABLES),
            proptest::collection::vec(entry, 0..5),
        )
            .prop_map(|(t, entries)| format!("[{t}]\n{}", entries.concat()));
        proptest::collection::vec(table, 0..6).prop_map(|t| t.concat())
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        if let Err(e) = Config::parse(text, "t.toml") {
            let ConfigError::Invalid { origin, message } = e else {
                return Err(TestCaseError::fail("parse gave a read error"));
            };
            prop_assert_eq!(origin, "t.toml");
            for problem in message.lines() {
                prop_assert!(problem.starts_with("line "), "{problem:?} names no line");
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_text_is_a_config_or_an_error_that_names_a_line(text in any::<String>()) {
            check(&text)?;
        }

        #[test]
        fn structured_toml_is_a_config_or_an_error_that_names_a_line(text in document()) {
            check(&text)?;
        }
    }
}
