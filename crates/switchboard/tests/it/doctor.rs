//! `switchboard doctor` against fakes: every check passes when everything
//! works, and a bad token or an unreachable tracker is named with its fix.

use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::harness::bin;

async fn doctor(config: &str, token: &str) -> (bool, String) {
    run_doctor(
        config,
        &[
            ("SLACK_SIGNING_SECRET", "doctor-signing-secret"),
            ("SLACK_BOT_TOKEN", token),
            ("TRACKER_CB_USER", "acme/bot"),
            ("TRACKER_CB_TOKEN", "cb-api-key-secret"),
        ],
    )
    .await
}

/// Runs `doctor` locally with only the given secrets; success and stdout.
pub(crate) async fn run_doctor(config: &str, env: &[(&str, &str)]) -> (bool, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("switchboard.toml");
    std::fs::write(&file, config).expect("config");
    let out = tokio::process::Command::new(bin())
        .args(["doctor", "--config"])
        .arg(&file)
        .arg("--state")
        .arg(dir.path().join("state.jsonl"))
        .current_dir(dir.path())
        .env_remove("SWITCHBOARD_TABLE")
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_APP_TOKEN")
        .envs(env.iter().copied())
        .output()
        .await
        .expect("run doctor");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn config(slack: &str, codebase: &str) -> String {
    format!(
        r#"
[slack]
api_url = "{slack}"

[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"
api_url = "{codebase}"

[[scanner.projects]]
tracker = "cb"
project = "web"
"#
    )
}

#[tokio::test]
async fn all_checks_pass_and_failures_say_what_to_fix() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth.test"))
        .respond_with(|req: &wiremock::Request| {
            let good = req
                .headers
                .get("authorization")
                .is_some_and(|v| v == "Bearer xoxb-good");
            ResponseTemplate::new(200).set_body_json(if good {
                serde_json::json!({ "ok": true, "team": "Acme", "user": "switchboard" })
            } else {
                serde_json::json!({ "ok": false, "error": "invalid_auth" })
            })
        })
        .mount(&slack)
        .await;
    let codebase = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/web/tickets.json"))
        .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
        .mount(&codebase)
        .await;

    let (ok, out) = doctor(&config(&slack.uri(), &codebase.uri()), "xoxb-good").await;
    assert!(ok, "{out}");
    assert!(
        out.contains("ok    slack: auth.test: bot \"switchboard\" in workspace \"Acme\""),
        "{out}"
    );
    assert!(out.contains("ok    tracker cb: listed cb/web"), "{out}");
    assert!(out.contains("ok    state:"), "{out}");
    assert!(!out.contains("FAIL"), "{out}");

    let (ok, out) = doctor(&config(&slack.uri(), "http://127.0.0.1:9"), "xoxb-bad").await;
    assert!(!ok, "a failed check fails the command");
    assert!(
        out.contains("FAIL  slack: auth.test failed") && out.contains("invalid_auth"),
        "{out}"
    );
    assert!(
        out.contains("FAIL  tracker cb: listing cb/web failed"),
        "{out}"
    );
    for secret in ["xoxb-bad", "cb-api-key-secret", "doctor-signing-secret"] {
        assert!(!out.contains(secret), "{secret} printed: {out}");
    }
}
