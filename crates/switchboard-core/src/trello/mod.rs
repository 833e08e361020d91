//! Trello over REST, the one adapter every function uses: the
//! credentials, the status mapping, the board read the dispatcher makes
//! before storing a subscription and the poller's action pages
//! ([`actions`]); the unfurler's card fetch builds on [`TrelloApi::get`].
//! The channel-made subscriptions live in [`subs`].
//!
//! The key and token travel as query parameters, so no URL from here is
//! ever logged or put into an error.

pub mod actions;
pub mod subs;

use serde::Deserialize;

use crate::config::TrackerConfig;
use crate::secrets::{Secret, Secrets};
use crate::text::{Cut, shorten};

pub const DEFAULT_API_URL: &str = "https://api.trello.com";

/// How a Trello request failed. The texts never hold a URL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TrelloError {
    /// 429: `API_TOKEN_LIMIT_EXCEEDED` or `API_KEY_LIMIT_EXCEEDED`.
    #[error("Trello rate limit ({0})")]
    RateLimited(String),
    /// 5xx, a timeout or a broken connection: worth another try.
    #[error("Trello is unavailable: {0}")]
    Unavailable(String),
    /// Any other status: a bad token, an unknown board. Retrying will not help.
    #[error("Trello refused the request: HTTP {status} {detail}")]
    Refused { status: u16, detail: String },
    #[error("Trello answered something unexpected: {0}")]
    Protocol(String),
}

impl TrelloError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TrelloError::RateLimited(_) | TrelloError::Unavailable(_)
        )
    }
}

/// A board as Trello describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Board {
    pub name: String,
}

#[derive(Deserialize)]
struct WireBoard {
    #[serde(default)]
    name: String,
}

/// One Trello API with one key and token.
#[derive(Clone)]
pub struct TrelloApi {
    http: reqwest::Client,
    api_url: String,
    key: Secret,
    token: Secret,
    timeout: Option<std::time::Duration>,
}

impl TrelloApi {
    pub fn new(http: reqwest::Client, api_url: &str, key: Secret, token: Secret) -> Self {
        Self {
            http,
            api_url: api_url.trim_end_matches('/').to_owned(),
            key,
            token,
            timeout: None,
        }
    }

    /// The client of a configured Trello tracker: its API (the public one
    /// unless `api_url` is set), its key (the user secret) and its token.
    /// `None` without both, because Trello answers nothing without them.
    pub fn for_tracker(
        http: &reqwest::Client,
        tracker: &TrackerConfig,
        secrets: &Secrets,
    ) -> Option<Self> {
        let key = secrets.tracker(&tracker.name, "USER")?;
        let token = secrets.tracker(&tracker.name, "TOKEN")?;
        let api_url = tracker.api_url.as_deref().unwrap_or(DEFAULT_API_URL);
        Some(Self::new(http.clone(), api_url, key.clone(), token.clone()))
    }

    /// Bounds each request, for callers with a deadline of their own (a
    /// slash command must answer within 3 s); a timeout is `Unavailable`.
    pub fn with_request_timeout(mut self, timeout: std::time::Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Reads a board's name: whether the token can read the board at all.
    pub async fn board(&self, id: &str) -> Result<Board, TrelloError> {
        tracing::debug!(board = id, "reading a Trello board");
        let body = self
            .get(&["1", "boards", id], &[("fields", "name,url")])
            .await?;
        let wire: WireBoard = serde_json::from_str(&body)
            .map_err(|e| TrelloError::Protocol(format!("not a board: {e}")))?;
        Ok(Board { name: wire.name })
    }

    /// GETs `{api}/{segments…}?{query}` with the credentials added last and
    /// returns a 2xx body; any other answer becomes a [`TrelloError`].
    /// Callers log what they ask for before calling, never the URL.
    pub async fn get(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
    ) -> Result<String, TrelloError> {
        let unusable =
            || TrelloError::Protocol(format!("the API URL {:?} is not usable", self.api_url));
        let mut url = reqwest::Url::parse(&self.api_url).map_err(|_| unusable())?;
        url.path_segments_mut()
            .map_err(|_| unusable())?
            .pop_if_empty()
            .extend(segments);
        url.query_pairs_mut()
            .extend_pairs(query)
            .append_pair("key", self.key.expose())
            .append_pair("token", self.token.expose());
        let mut request = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(timeout) = self.timeout {
            request = request.timeout(timeout);
        }
        let response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(transport)?;
        match status {
            200..=299 => Ok(body),
            429 => Err(TrelloError::RateLimited(
                rate_limit_code(&body).unwrap_or_else(|| "HTTP 429".into()),
            )),
            500..=599 => Err(TrelloError::Unavailable(format!("HTTP {status}"))),
            _ => Err(TrelloError::Refused {
                status,
                detail: self.scrub(&body),
            }),
        }
    }

    /// Removes the credentials from text Trello sent back, in case an error
    /// page echoes the request.
    pub fn scrub(&self, text: &str) -> String {
        // Replaced before the cut, so a cut cannot keep part of a secret.
        let mut out = text.to_owned();
        for secret in [&self.key, &self.token] {
            if !secret.expose().is_empty() {
                out = out.replace(secret.expose(), "***");
            }
        }
        shorten(&out, 200, Cut::Plain).trim().to_owned()
    }
}

/// Describes a transport failure without its URL.
fn transport(e: reqwest::Error) -> TrelloError {
    let e = e.without_url();
    let causes = crate::slack::api::transport_causes(&e);
    TrelloError::Unavailable(if causes.is_empty() {
        e.to_string()
    } else {
        format!("{e}: {causes}")
    })
}

/// The limit Trello names in a 429 body, when it names one.
fn rate_limit_code(body: &str) -> Option<String> {
    ["API_TOKEN_LIMIT_EXCEEDED", "API_KEY_LIMIT_EXCEEDED"]
        .into_iter()
        .find(|code| body.contains(code))
        .map(str::to_owned)
}

#[cfg(test)]
mod tests;
