//! Requests to an app under test, signed the way Slack and the webhook
//! providers sign theirs.

use std::path::PathBuf;

use switchboard_core::clock::now_secs;
use switchboard_core::secrets::Secret;
use switchboard_core::slack::verify::{sign, signed_headers};
use switchboard_core::state::FileStore;

use crate::secrets::SECRET;

/// What a test holds of a running app, in-process or `serve`: where it
/// listens, the Slack signing secret it checks, and its state file.
#[derive(Debug, Clone)]
pub struct Client {
    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub base: String,
    /// The Slack signing secret the app checks.
    pub secret: Secret,
    state: PathBuf,
}

impl Client {
    /// A client for the app at `base` holding the usual secrets
    /// (`secrets::ENV`) and keeping its state in `state`.
    pub fn new(base: impl Into<String>, state: impl Into<PathBuf>) -> Self {
        Self {
            base: base.into(),
            secret: Secret::new(SECRET),
            state: state.into(),
        }
    }

    /// The app's state file.
    pub fn state_path(&self) -> PathBuf {
        self.state.clone()
    }

    /// The app's state, opened beside it as another process would.
    pub fn store(&self) -> FileStore {
        FileStore::open(&self.state).expect("state file")
    }

    /// The `X-Slack-Signature` of `body` sent at `ts`.
    pub fn signature(&self, ts: i64, body: &[u8]) -> String {
        sign(&self.secret, ts, body)
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
        self.post_signed(&body, ts, &self.signature(ts, body.as_bytes()))
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
        let resp = req.send().await.expect("post webhook to the app");
        (resp.status().as_u16(), resp.text().await.expect("body"))
    }

    /// Posts a signed Events API payload, with a retry number if given.
    pub async fn event(&self, body: &str, retry: Option<u32>) -> (u16, String) {
        let mut req = reqwest::Client::new()
            .post(format!("{}/slack/events", self.base))
            .header("content-type", "application/json")
            .headers(signed_headers(&self.secret, body.as_bytes()))
            .body(body.to_owned());
        if let Some(n) = retry {
            req = req
                .header("x-slack-retry-num", n.to_string())
                .header("x-slack-retry-reason", "http_timeout");
        }
        let resp = req.send().await.expect("post event to the app");
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
            .headers(signed_headers(&self.secret, body.as_bytes()))
            .body(body)
            .send()
            .await
            .expect("post interaction to the app");
        resp.status().as_u16()
    }

    /// Posts a slash-command form with the given timestamp and signature.
    pub async fn post_signed(&self, body: &str, ts: i64, signature: &str) -> (u16, String) {
        let resp = reqwest::Client::new()
            .post(format!("{}/slack/commands", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", signature)
            .body(body.to_owned())
            .send()
            .await
            .expect("post to the app");
        (resp.status().as_u16(), resp.text().await.expect("body"))
    }
}

/// The `response_type` and `text` of a JSON reply.
pub fn reply(body: &str) -> (String, String) {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"));
    (
        v["response_type"].as_str().unwrap_or_default().to_owned(),
        v["text"].as_str().unwrap_or_default().to_owned(),
    )
}
