//! Every known command × allowed, denied and unknown user × allowed and
//! other channel, through the real handler: only the allowed pair runs
//! anything (the job runner and the Jenkins fake count), and every refusal
//! is audited with its reason.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_core::audit;
use switchboard_core::config::{Config, KNOWN_COMMANDS};
use switchboard_core::fakes::{MemoryStore, RecordingRunner};
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::verify::signed_headers;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::Dispatcher;

const SECRET: &str = "matrix-signing-secret";
const USERS: [&str; 3] = ["UANN", "UBOB", "UEVE"];
const CHANNELS: [&str; 2] = ["COPS", "CGEN"];

/// A command line that would run `command` if allowed.
fn text(command: &str) -> &'static str {
    match command {
        "help" => "help",
        "deploy" => "deploy --client acme --branch main",
        "backup" => "backup --client acme",
        "restore" => "restore --client acme --from snap-1",
        "jobs" => "jobs",
        "trello" => "trello list",
        other => panic!("add a command line for `{other}` to the allowlist matrix"),
    }
}

/// Jenkins queues anything; the test counts what reached it.
async fn jenkins() -> MockServer {
    let jenkins = MockServer::start().await;
    let queue = format!("{}/queue/item/1/", jenkins.uri());
    Mock::given(method("POST"))
        .and(path("/job/deploy/buildWithParameters"))
        .respond_with(ResponseTemplate::new(201).insert_header("Location", queue.as_str()))
        .mount(&jenkins)
        .await;
    jenkins
}

/// The config's base: every command set up to run, with `access` as each
/// non-help command's allowlist entry (or none).
fn config(jenkins: &str, access: Option<&str>) -> Config {
    let mut text = format!(
        r#"
clients = ["acme"]
[jenkins]
url = "{jenkins}"
job = "deploy"
[jobs.backup]
command = ["backup-db", "{{client}}"]
[jobs.restore]
command = ["restore-db", "{{client}}", "{{from}}"]
"#
    );
    if let Some(access) = access {
        for name in KNOWN_COMMANDS.iter().filter(|c| **c != "help") {
            text.push_str(&format!("[commands.{name}]\n{access}\n"));
        }
    }
    Config::parse(&text, "matrix").expect("config")
}

/// Runs every command as every user in every channel; returns the audit
/// outcome and detail per (command, user, channel), the runner and Jenkins.
async fn run_matrix(
    access: Option<&str>,
) -> (
    BTreeMap<(String, String, String), (String, String)>,
    Arc<RecordingRunner>,
    MockServer,
) {
    let jenkins = jenkins().await;
    let runner = Arc::new(RecordingRunner::default());
    let store = Arc::new(MemoryStore::new());
    let d = Arc::new(Dispatcher::new(
        LiveConfig::fixed(config(&jenkins.uri(), access)),
        Secrets {
            slack_signing_secret: Some(Secret::new(SECRET)),
            ..Secrets::default()
        },
        store.clone(),
        runner.clone(),
        reqwest::Client::new().into(),
    ));
    let mut sent = 0;
    for command in KNOWN_COMMANDS {
        for user in USERS {
            for channel in CHANNELS {
                let body = serde_urlencoded::to_string([
                    ("team_id", "T1"),
                    ("user_id", user),
                    ("channel_id", channel),
                    ("command", "/example"),
                    ("text", text(command)),
                    ("response_url", "https://hooks.slack.com/commands/T1/1/abc"),
                ])
                .expect("form");
                let headers = signed_headers(&Secret::new(SECRET), body.as_bytes());
                let reply = d.handle_command(&headers, body.as_bytes()).await;
                assert_eq!(reply.status, 200, "{command} {user} {channel}");
                sent += 1;
            }
        }
    }
    let entries = audit::recent(store.as_ref(), 1000).await.expect("audit");
    assert_eq!(entries.len(), sent, "one audit entry per request");
    let outcomes = entries
        .into_iter()
        .map(|e| ((e.command, e.user, e.channel), (e.outcome, e.detail)))
        .collect::<BTreeMap<_, _>>();
    assert_eq!(outcomes.len(), sent, "each request audited once");
    (outcomes, runner, jenkins)
}

async fn builds_queued(jenkins: &MockServer) -> usize {
    jenkins.received_requests().await.unwrap_or_default().len()
}

#[tokio::test]
async fn only_the_allowed_user_in_the_allowed_channel_runs_anything() {
    let access = r#"allow_users = ["UANN"]
deny_users = ["UBOB"]
allow_channels = ["COPS"]"#;
    let (outcomes, runner, jenkins) = run_matrix(Some(access)).await;
    for ((command, user, channel), (outcome, detail)) in &outcomes {
        let want = match (command.as_str(), user.as_str(), channel.as_str()) {
            ("help", ..) | (_, "UANN", "COPS") => ("ok", ""),
            (_, "UBOB", _) => ("denied", "denied_user"),
            (_, "UEVE", _) => ("denied", "user_not_listed"),
            (_, "UANN", _) => ("denied", "channel_not_listed"),
            other => panic!("unexpected row {other:?}"),
        };
        assert_eq!(
            (outcome.as_str(), detail.as_str()),
            want,
            "{command} by {user} in {channel}"
        );
    }
    let refused = outcomes.values().filter(|(o, _)| o == "denied").count();
    assert_eq!(refused, (KNOWN_COMMANDS.len() - 1) * 5);
    // backup, restore, and the worker that follows the one deploy.
    let specs = runner.specs();
    assert_eq!(specs.len(), 3, "{specs:?}");
    assert!(
        specs
            .iter()
            .all(|s| s.requested_by.as_str() == "UANN" && s.channel.as_str() == "COPS"),
        "{specs:?}"
    );
    assert_eq!(
        builds_queued(&jenkins).await,
        1,
        "one deploy reached Jenkins"
    );
}

#[tokio::test]
async fn without_allowlist_entries_everything_but_help_is_refused() {
    let (outcomes, runner, jenkins) = run_matrix(None).await;
    for ((command, user, channel), (outcome, detail)) in &outcomes {
        let want = if command == "help" {
            ("ok", "")
        } else {
            ("denied", "no_entry")
        };
        assert_eq!(
            (outcome.as_str(), detail.as_str()),
            want,
            "{command} by {user} in {channel}"
        );
    }
    assert!(runner.specs().is_empty(), "nothing ran");
    assert_eq!(builds_queued(&jenkins).await, 0, "Jenkins heard nothing");
}

#[tokio::test]
async fn a_public_command_still_refuses_its_denied_users() {
    let (outcomes, runner, jenkins) =
        run_matrix(Some("public = true\ndeny_users = [\"UBOB\"]")).await;
    for ((command, user, channel), (outcome, detail)) in &outcomes {
        let want = match (command.as_str(), user.as_str()) {
            ("help", _) => ("ok", ""),
            (_, "UBOB") => ("denied", "denied_user"),
            _ => ("ok", ""),
        };
        assert_eq!(
            (outcome.as_str(), detail.as_str()),
            want,
            "{command} by {user} in {channel}"
        );
    }
    // Two allowed users in two channels each: four of each job, and four
    // deploys, each followed by a worker.
    let specs = runner.specs();
    assert_eq!(specs.len(), 12, "{specs:?}");
    assert!(specs.iter().all(|s| s.requested_by.as_str() != "UBOB"));
    assert_eq!(builds_queued(&jenkins).await, 4);
}
