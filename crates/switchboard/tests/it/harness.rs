//! Starts `switchboard serve` as a child process and signs requests to it.

use std::io::{BufRead as _, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_core::secrets::Secret;
use switchboard_core::slack::verify::{sign, signed_headers};

pub const SECRET: &str = "integration-signing-secret";
pub const WEBHOOK_SECRET: &str = "integration-webhook-secret";
pub const JENKINS_TOKEN: &str = "integration-jenkins-token";

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_switchboard"))
}

/// A running `serve`; killed when dropped.
pub struct Served {
    child: Child,
    pub base: String,
    pub dir: tempfile::TempDir,
    /// Everything `serve` wrote to stderr, when started with `capturing`.
    log: Option<std::sync::Arc<std::sync::Mutex<String>>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Served {
    /// Starts `serve --addr 127.0.0.1:0` in a temp dir with `config`.
    pub fn start(config: &str) -> Self {
        Self::spawn(config, false, &[])
    }

    /// Like `start`, with more variables in `serve`'s environment.
    pub fn with_env(config: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn(config, false, extra)
    }

    /// Like `start`, logging at trace level into a buffer (`log`).
    pub fn capturing(config: &str) -> Self {
        Self::spawn(config, true, &[])
    }

    /// `capturing` with more variables in `serve`'s environment.
    pub fn capturing_with_env(config: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn(config, true, extra)
    }

    /// What `serve` has logged so far (empty unless `capturing`).
    pub fn log(&self) -> String {
        self.log.as_ref().map_or_else(String::new, |l| {
            l.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        })
    }

    fn spawn(config: &str, capture: bool, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config_path = dir.path().join("switchboard.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0", "--config"])
            .arg(&config_path)
            .current_dir(dir.path())
            .env("SLACK_SIGNING_SECRET", SECRET)
            .env("SLACK_BOT_TOKEN", "xoxb-integration")
            .env("BITBUCKET_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("BENCH_WEBHOOK_SECRET", WEBHOOK_SECRET)
            .env("TRACKER_JIRA_USER", "bot@acme.example")
            .env("TRACKER_JIRA_TOKEN", "jira-api-token")
            .env("TRACKER_TRELLO_USER", crate::poll::TRELLO_KEY)
            .env("TRACKER_TRELLO_TOKEN", crate::poll::TRELLO_TOKEN)
            .env("JENKINS_USER", "switchboard-bot")
            .env("JENKINS_TOKEN", JENKINS_TOKEN)
            .env("RUST_LOG", if capture { "trace" } else { "info" })
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(if capture {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("spawn switchboard serve");
        let log = child.stderr.take().map(|stderr| {
            let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
            let sink = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut l = sink
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    l.push_str(&line);
                    l.push('\n');
                }
            });
            log
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read serve's first line");
        let base = line
            .trim()
            .strip_prefix("switchboard listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from serve: {line:?}"))
            .to_owned();
        Self {
            child,
            base,
            dir,
            log,
        }
    }

    pub fn state_path(&self) -> PathBuf {
        self.dir.path().join("state.jsonl")
    }

    /// Posts a signed slash command; returns status and body.
    pub async fn command(
        &self,
        text: &str,
        user: &str,
        channel: &str,
        response_url: &str,
    ) -> (u16, String) {
        self.command_in("T0001", text, user, channel, response_url)
            .await
    }

    /// Posts a signed slash command from the workspace `team`.
    pub async fn command_in(
        &self,
        team: &str,
        text: &str,
        user: &str,
        channel: &str,
        response_url: &str,
    ) -> (u16, String) {
        let body = serde_urlencoded::to_string([
            ("team_id", team),
            ("user_id", user),
            ("user_name", "tester"),
            ("channel_id", channel),
            ("command", "/example"),
            ("text", text),
            ("response_url", response_url),
        ])
        .expect("form");
        let ts = now_secs();
        self.post_signed(&body, ts, &sign(&Secret::new(SECRET), ts, body.as_bytes()))
            .await
    }

    /// Posts a webhook with the given headers.
    pub async fn webhook(
        &self,
        path: &str,
        headers: &[(&str, String)],
        body: &str,
    ) -> (u16, String) {
        let mut req = reqwest::Client::new()
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_owned());
        for (k, v) in headers {
            req = req.header(*k, v);
        }
        let resp = req.send().await.expect("post webhook to serve");
        (resp.status().as_u16(), resp.text().await.expect("body"))
    }

    /// Posts a signed Events API payload, with a retry number if given.
    pub async fn event(&self, body: &str, retry: Option<u32>) -> (u16, String) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/slack/events", self.base))
            .header("content-type", "application/json")
            .headers(signed_headers(&Secret::new(SECRET), body.as_bytes()))
            .body(body.to_owned());
        if let Some(n) = retry {
            req = req
                .header("x-slack-retry-num", n.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        let resp = req.send().await.expect("post event to serve");
        (resp.status().as_u16(), resp.text().await.expect("body"))
    }

    /// Presses a message button as `user`, through a signed interaction.
    pub async fn press(&self, user: &str, action_id: &str, value: &str) -> u16 {
        self.press_answered(
            user,
            action_id,
            value,
            "http://127.0.0.1:9/unused-response-url",
        )
        .await
    }

    /// Presses a button whose answers go to `response_url`.
    pub async fn press_answered(
        &self,
        user: &str,
        action_id: &str,
        value: &str,
        response_url: &str,
    ) -> u16 {
        let body =
            switchboard_core::slack::interaction::button_form(user, action_id, value, response_url);
        let resp = reqwest::Client::new()
            .post(format!("{}/slack/interactions", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .headers(signed_headers(&Secret::new(SECRET), body.as_bytes()))
            .body(body)
            .send()
            .await
            .expect("post interaction to serve");
        resp.status().as_u16()
    }

    pub async fn post_signed(&self, body: &str, ts: i64, signature: &str) -> (u16, String) {
        let resp = reqwest::Client::new()
            .post(format!("{}/slack/commands", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .expect("post to serve");
        (resp.status().as_u16(), resp.text().await.expect("body"))
    }
}

/// The `text` of a JSON reply, and its response_type.
pub fn reply(body: &str) -> (String, String) {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (
        v["response_type"].as_str().unwrap_or_default().to_owned(),
        v["text"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The texts posted to the fake Slack's `/hook` response_url, in order.
pub async fn hook_texts(slack: &wiremock::MockServer) -> Vec<String> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/hook")
        .map(|r| reply(&String::from_utf8_lossy(&r.body)).1)
        .collect()
}

/// Polls `check` until it returns `Some`, for at most `limit`.
pub async fn eventually<T>(
    limit: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A recorded Trac response from the trackers crate's fixtures.
pub fn trac_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../switchboard-trackers/tests/fixtures/trac")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

pub fn fixture(name: &str, base: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text.replace("{base}", base)).expect("fixture JSON")
}
