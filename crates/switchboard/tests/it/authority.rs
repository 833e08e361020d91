//! Who may move things, through `serve`: other Slack workspaces are
//! refused and audited, jobs run without Switchboard's credentials, and the
//! CLI's config commands share one validation.

use std::time::Duration;

use switchboard_core::audit;
use switchboard_core::ids::UserId;
use switchboard_core::ledger;
use switchboard_core::state::FileStore;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Served, bin, eventually, hook_texts, reply};

const RESPONSE_URL: &str = "https://hooks.slack.com/commands/T0HOME/1/abc";

fn home_only(slack: &str) -> String {
    format!(
        r#"
[slack]
api_url = "{slack}"
team_ids = ["T0HOME"]
[commands.help]
public = true
[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"
[[scanner.projects]]
tracker = "cb"
project = "web"
[state]
path = "state.jsonl"
"#
    )
}

#[tokio::test]
async fn another_workspace_is_refused_on_every_slack_route_and_audited() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&slack)
        .await;
    let served = Served::start(&home_only(&slack.uri()));

    // A command from the home workspace is answered.
    let (status, body) = served
        .command_in("T0HOME", "help", "UBOB", "CGEN", RESPONSE_URL)
        .await;
    assert_eq!(status, 200);
    assert!(reply(&body).1.contains("Usage:"), "{body}");

    // The same command from a Slack Connect guest's workspace is one line.
    let (status, body) = served
        .command_in("T0GUEST", "help", "UBOB", "CGEN", RESPONSE_URL)
        .await;
    assert_eq!(status, 200);
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    assert!(
        text.contains("only its own workspace") && !text.contains("Usage:"),
        "{text}"
    );

    // An event from another workspace is acknowledged and ignored.
    let event = serde_json::json!({
        "type": "event_callback", "team_id": "T0GUEST", "event_id": "EvGuest1",
        "event": {
            "type": "link_shared", "channel": "C0ROOM", "user": "U0EVE",
            "message_ts": "1795000000.000100",
            "links": [{"domain": "acme.codebasehq.com",
                       "url": "https://acme.codebasehq.com/projects/web/tickets/1"}]
        }
    })
    .to_string();
    let (status, _) = served.event(&event, None).await;
    assert_eq!(status, 200);

    // A button press that names no home workspace changes nothing.
    assert_eq!(served.press("U0EVE", "sb_snooze", "cb/web/12").await, 200);

    let store = FileStore::open(&served.state_path()).expect("state file");
    let entries = eventually(Duration::from_secs(5), async || {
        let entries = audit::recent(&store, 20).await.ok()?;
        (entries.iter().filter(|e| e.outcome == "denied").count() >= 3).then_some(entries)
    })
    .await
    .expect("three refusals audited");
    let denied: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.outcome == "denied")
        .map(|e| (e.team.as_str(), e.command.as_str()))
        .collect();
    for want in [
        ("T0GUEST", "refused"),
        ("T0GUEST", "event:link_shared"),
        ("", "button:sb_snooze"),
    ] {
        assert!(denied.contains(&want), "{want:?} not in {denied:?}");
    }
    let eve = UserId::parse("U0EVE").expect("user");
    assert_eq!(
        ledger::get(&store, &eve, "cb/web/12").await.expect("store"),
        None
    );
    let unfurls = slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/chat.unfurl")
        .count();
    assert_eq!(unfurls, 0, "nothing was unfurled for the guest");
}

#[tokio::test]
async fn a_job_that_prints_its_environment_shows_no_credentials() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(200))
        .mount(&slack)
        .await;
    // The job fails, so the tail of its output is posted; it prints its
    // whole environment and a token it could only have guessed.
    let config = format!(
        r#"
clients = ["acme"]
[slack]
api_url = "{slack}"
[jobs.backup]
command = ["sh", "-c", "env; echo guessed xoxb-integration; exit 1"]
env = ["PGPASSWORD"]
[commands.backup]
allow_users = ["UANN"]
[state]
path = "state.jsonl"
"#,
        slack = slack.uri()
    );
    let served = Served::with_env(
        &config,
        &[("PGPASSWORD", "pg-secret-value"), ("UNRELATED_VAR", "x1")],
    );
    let hook = format!("{}/hook", slack.uri());
    let (status, _) = served
        .command("backup --client acme", "UANN", "COPS", &hook)
        .await;
    assert_eq!(status, 200);
    let posted = eventually(Duration::from_secs(30), async || {
        hook_texts(&slack)
            .await
            .into_iter()
            .find(|t| t.contains("failed"))
    })
    .await
    .expect("the failure was posted");
    assert!(
        posted.contains("PATH=") && posted.contains("PGPASSWORD=***"),
        "{posted}"
    );
    assert!(posted.contains("guessed ***"), "{posted}");
    for never in [
        "xoxb-integration",
        "pg-secret-value",
        "integration-webhook-secret",
        "integration-signing-secret",
        "jira-api-token",
        "integration-jenkins-token",
        "SLACK_",
        "TRACKER_",
        "JENKINS_",
        "WEBHOOK",
        "SWITCHBOARD_",
        "UNRELATED_VAR",
    ] {
        assert!(!posted.contains(never), "{never} reached Slack: {posted}");
    }
}

/// Runs a `switchboard config` subcommand on `text`; its success and stderr.
fn config_cmd(sub: &str, text: &str) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("switchboard.toml");
    std::fs::write(&file, text).expect("write");
    let out = std::process::Command::new(bin())
        .args(["config", sub])
        .arg(&file)
        // Push would need this; the config must be refused before it is read.
        .env_remove("SWITCHBOARD_TABLE")
        .output()
        .expect("run switchboard config");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn check_and_push_refuse_the_same_configs() {
    for (text, key) in [
        (
            "[scanner]\ntime_zone = \"Mars/Olympus\"\n",
            "scanner.time_zone",
        ),
        (
            "[commands.deploy]\npublic = true\nallow_users = [\"UANN\"]\n",
            "commands.deploy",
        ),
        (
            "[[trackers]]\nname = \"jira\"\nkind = \"jira\"\nurl = \"https://j\"\n\
             [[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\n",
            "bridge.projects.SHOP.repos",
        ),
    ] {
        for sub in ["check", "push"] {
            let (ok, err) = config_cmd(sub, text);
            assert!(!ok, "config {sub} accepted {text:?}");
            assert!(
                err.contains(key) && !err.contains("SWITCHBOARD_TABLE"),
                "config {sub}: {err}"
            );
        }
    }
}
