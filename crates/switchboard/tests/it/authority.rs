//! Who may move things, through `serve`: jobs run without Switchboard's
//! credentials, and the CLI's config commands share one validation. Other
//! workspaces' refusals are tested in-process (tests/e2e/authority.rs).

use std::time::Duration;

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::{Served, bin, eventually, hook_texts};

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
