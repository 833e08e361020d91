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
