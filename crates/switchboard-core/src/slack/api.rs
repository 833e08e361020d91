//! The Slack Web API client and the `response_url` poster.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use super::{Card, Message, ResponseUrl};
use crate::ids::{ChannelId, UserId};
use crate::outbound::{Backoff, TooLong, retry_after};
use crate::secrets::Secret;

#[derive(Debug, thiserror::Error)]
pub enum ChatError {
    /// Slack answered `ok: false`; the code is Slack's (e.g. `channel_not_found`).
    #[error("Slack refused {method}: {code}")]
    Slack { method: String, code: String },
    #[error("Slack kept rate-limiting {0}")]
    RateLimited(String),
    #[error("the response_url is spent (5 posts or 30 minutes)")]
    ResponseUrlSpent,
    #[error("no Slack bot token is configured (SLACK_BOT_TOKEN)")]
    NoToken,
    #[error("calling Slack {method}")]
    Transport {
        method: String,
        #[source]
        source: reqwest::Error,
    },
    #[error("Slack {method} answered HTTP {status}")]
    Status { method: String, status: u16 },
}

impl ChatError {
    /// Slack's `ok: false` answer with `code` to a call of `method`.
    pub fn refused(method: &str, code: &str) -> Self {
        Self::Slack {
            method: method.to_owned(),
            code: code.to_owned(),
        }
    }
}

/// The chat system, as the functions need it.
#[async_trait]
pub trait Chat: Send + Sync {
    /// Posts to a channel (a DM channel too); returns the message's `ts`.
    async fn post_message(
        &self,
        channel: &ChannelId,
        message: &Message,
    ) -> Result<String, ChatError>;
    /// Replaces a message the bot posted (`chat.update`). Fakes that never
    /// update may keep the default, which says it is unsupported.
    async fn update_message(&self, at: Posted<'_>, message: &Message) -> Result<(), ChatError> {
        let _ = (at, message);
        Err(ChatError::refused("chat.update", "not_supported"))
    }
    /// Opens (or finds) the DM channel with a user.
    async fn open_dm(&self, user: &UserId) -> Result<ChannelId, ChatError>;
    /// Finds a Slack user by e-mail; `None` when nobody has it.
    async fn lookup_user_by_email(&self, email: &str) -> Result<Option<UserId>, ChatError>;
    /// Posts a follow-up to a slash command's `response_url`.
    async fn respond(&self, url: &ResponseUrl, message: &Message) -> Result<(), ChatError>;
    /// Recent messages of a channel, newest first, posted after `oldest`
    /// (a Slack ts; `None` for no bound), at most `limit`, with metadata.
    async fn history(
        &self,
        channel: &ChannelId,
        oldest: Option<&str>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError>;
    /// One thread's messages (`conversations.replies`), named by its
    /// parent, oldest first and the parent included, at most `limit`, with
    /// metadata.
    /// `conversations.history` leaves thread replies out, so this is how a
    /// reply is found again. Fakes that never read threads may keep the
    /// default, which says it is unsupported rather than answering "none".
    async fn replies(
        &self,
        thread: Posted<'_>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let _ = (thread, limit);
        Err(ChatError::refused("conversations.replies", "not_supported"))
    }
    /// Attaches cards to the links of one shared message (`chat.unfurl`),
    /// keyed by each link exactly as Slack sent it.
    async fn unfurl(
        &self,
        target: &UnfurlTarget,
        cards: &[(String, Card)],
    ) -> Result<(), ChatError>;
}

/// Where a posted message is: Slack names a message by its channel and
/// `ts` together, never by the `ts` alone.
#[derive(Debug, Clone, Copy)]
pub struct Posted<'a> {
    pub channel: &'a ChannelId,
    pub ts: &'a str,
}

/// A message read back from `conversations.history`.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryMessage {
    pub ts: String,
    pub thread_ts: Option<String>,
    pub metadata: Option<super::Metadata>,
}

/// Which message's links `chat.unfurl` decorates: Slack's `unfurl_id` and
/// `source` when the event has them, else the channel and message ts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnfurlTarget {
    Id { unfurl_id: String, source: String },
    Message { channel: String, ts: String },
}

/// The real Slack Web API.
#[derive(Debug, Clone)]
pub struct SlackWebApi {
    http: reqwest::Client,
    base: String,
    token: Option<Secret>,
}

/// How often a rate-limited call is retried, and the longest `Retry-After`
/// worth waiting for: a Lambda has little time.
const RATE_LIMITED: Backoff = Backoff {
    first: Duration::from_secs(1),
    max: Duration::from_secs(30),
    retries: 3,
    too_long: TooLong::GiveUp,
};

#[derive(Deserialize)]
struct Envelope {
    ok: bool,
    error: Option<String>,
    ts: Option<String>,
    channel: Option<ChannelField>,
    user: Option<UserField>,
    team: Option<String>,
    #[serde(default)]
    messages: Vec<WireHistoryMessage>,
    response_metadata: Option<ResponseMetadata>,
}

#[derive(Deserialize)]
struct WireHistoryMessage {
    #[serde(default)]
    ts: String,
    thread_ts: Option<String>,
    metadata: Option<WireMetadata>,
}

#[derive(Deserialize)]
struct WireMetadata {
    #[serde(default)]
    event_type: String,
    #[serde(default)]
    event_payload: serde_json::Value,
}

#[derive(Deserialize)]
struct ResponseMetadata {
    #[serde(default)]
    next_cursor: String,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ChannelField {
    Id(String),
    Object { id: String },
}

/// `user` is an object in lookups and the bot's name in `auth.test`.
#[derive(Deserialize)]
#[serde(untagged)]
enum UserField {
    Object { id: String },
    Name(String),
}

/// The causes under a transport error (DNS, TLS, connection), for logs.
/// The top level is left out because it carries the request URL, and a URL
/// can carry credentials (Trello's key and token are query parameters).
pub fn transport_causes(e: &reqwest::Error) -> String {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    causes.join(": ")
}

/// Builds the one HTTP client a process uses, with sane timeouts.
pub fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(3))
        .timeout(Duration::from_secs(10))
        .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
        .build()
        .unwrap_or_default()
}

impl SlackWebApi {
    pub fn new(http: reqwest::Client, base: &str, token: Option<Secret>) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            token,
        }
    }

    /// Calls a Web API method. Write methods take JSON; read methods such
    /// as `users.lookupByEmail` only read form fields, so `form` sends the
    /// body's string fields form-encoded.
    async fn call(&self, method: &str, body: serde_json::Value) -> Result<Envelope, ChatError> {
        self.send(method, body, false).await
    }

    async fn send(
        &self,
        method: &str,
        body: serde_json::Value,
        form: bool,
    ) -> Result<Envelope, ChatError> {
        let token = self.token.as_ref().ok_or(ChatError::NoToken)?;
        let url = format!("{}/{method}", self.base);
        let transport = |source| ChatError::Transport {
            method: method.to_owned(),
            source,
        };
        let mut retries = RATE_LIMITED.start(None);
        loop {
            let req = self.http.post(&url).bearer_auth(token.expose());
            let req = if form {
                let fields: Vec<(String, String)> = body
                    .as_object()
                    .map(|o| {
                        o.iter()
                            .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                            .collect()
                    })
                    .unwrap_or_default();
                req.form(&fields)
            } else {
                req.json(&body)
            };
            let resp = req.send().await.map_err(transport)?;
            let status = resp.status();
            if status.as_u16() == 429 {
                let Ok(wait) = retries.next(retry_after(resp.headers())) else {
                    return Err(ChatError::RateLimited(method.to_owned()));
                };
                tracing::warn!(
                    method,
                    wait_secs = wait.as_secs(),
                    "Slack rate limit; waiting"
                );
                tokio::time::sleep(wait).await;
                continue;
            }
            if !status.is_success() {
                return Err(ChatError::Status {
                    method: method.to_owned(),
                    status: status.as_u16(),
                });
            }
            let envelope: Envelope = resp.json().await.map_err(transport)?;
            if !envelope.ok {
                return Err(ChatError::Slack {
                    method: method.to_owned(),
                    code: envelope.error.unwrap_or_else(|| "unknown_error".into()),
                });
            }
            return Ok(envelope);
        }
    }
}

impl SlackWebApi {
    /// `auth.test`: whether the bot token works, and for which workspace
    /// and bot user (`team`, `user`).
    pub async fn auth_test(&self) -> Result<(String, String), ChatError> {
        let env = self.call("auth.test", serde_json::json!({})).await?;
        let user = match env.user {
            Some(UserField::Name(name) | UserField::Object { id: name }) => name,
            None => String::new(),
        };
        Ok((env.team.unwrap_or_default(), user))
    }

    /// Reads a paged message list (`conversations.history` or
    /// `.replies`) with metadata, up to `limit` messages.
    async fn read_messages(
        &self,
        method: &str,
        base: serde_json::Value,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let mut out = Vec::new();
        let mut cursor = String::new();
        // Slack pages by cursor, at most 1,000 (advised 200) a page.
        while out.len() < limit {
            let mut body = base.clone();
            body["limit"] = (limit - out.len()).min(200).to_string().into();
            body["include_all_metadata"] = "true".into();
            if !cursor.is_empty() {
                body["cursor"] = cursor.as_str().into();
            }
            let env = self.send(method, body, true).await?;
            out.extend(env.messages.into_iter().map(|m| HistoryMessage {
                ts: m.ts,
                thread_ts: m.thread_ts,
                metadata: m.metadata.map(|w| super::Metadata {
                    event_type: w.event_type,
                    payload: w.event_payload,
                }),
            }));
            cursor = env
                .response_metadata
                .map(|r| r.next_cursor)
                .unwrap_or_default();
            if cursor.is_empty() {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }
}

#[async_trait]
impl Chat for SlackWebApi {
    async fn post_message(
        &self,
        channel: &ChannelId,
        message: &Message,
    ) -> Result<String, ChatError> {
        let env = self
            .call("chat.postMessage", message.to_post_json(channel.as_str()))
            .await?;
        Ok(env.ts.unwrap_or_default())
    }

    async fn update_message(&self, at: Posted<'_>, message: &Message) -> Result<(), ChatError> {
        self.call(
            "chat.update",
            message.to_update_json(at.channel.as_str(), at.ts),
        )
        .await
        .map(drop)
    }

    async fn history(
        &self,
        channel: &ChannelId,
        oldest: Option<&str>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let mut body = serde_json::json!({ "channel": channel.as_str() });
        if let Some(oldest) = oldest {
            body["oldest"] = oldest.into();
        }
        self.read_messages("conversations.history", body, limit)
            .await
    }

    async fn replies(
        &self,
        thread: Posted<'_>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let body = serde_json::json!({ "channel": thread.channel.as_str(), "ts": thread.ts });
        self.read_messages("conversations.replies", body, limit)
            .await
    }

    async fn open_dm(&self, user: &UserId) -> Result<ChannelId, ChatError> {
        let env = self
            .call(
                "conversations.open",
                serde_json::json!({ "users": user.as_str() }),
            )
            .await?;
        let id = match env.channel {
            Some(ChannelField::Object { id } | ChannelField::Id(id)) => id,
            None => String::new(),
        };
        ChannelId::parse(&id).map_err(|_| ChatError::Slack {
            method: "conversations.open".into(),
            code: "no_channel_in_response".into(),
        })
    }

    async fn lookup_user_by_email(&self, email: &str) -> Result<Option<UserId>, ChatError> {
        match self
            .send(
                "users.lookupByEmail",
                serde_json::json!({ "email": email }),
                true,
            )
            .await
        {
            Ok(env) => Ok(match env.user {
                Some(UserField::Object { id }) => UserId::parse(&id).ok(),
                _ => None,
            }),
            Err(ChatError::Slack { code, .. }) if code == "users_not_found" => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn unfurl(
        &self,
        target: &UnfurlTarget,
        cards: &[(String, Card)],
    ) -> Result<(), ChatError> {
        let unfurls: serde_json::Map<String, serde_json::Value> = cards
            .iter()
            .map(|(url, card)| {
                (
                    url.clone(),
                    serde_json::json!({ "blocks": super::blocks::to_json(&card.to_blocks()) }),
                )
            })
            .collect();
        let mut body = serde_json::json!({ "unfurls": unfurls });
        match target {
            UnfurlTarget::Id { unfurl_id, source } => {
                body["unfurl_id"] = unfurl_id.as_str().into();
                body["source"] = source.as_str().into();
            }
            UnfurlTarget::Message { channel, ts } => {
                body["channel"] = channel.as_str().into();
                body["ts"] = ts.as_str().into();
            }
        }
        self.call("chat.unfurl", body).await.map(|_| ())
    }

    async fn respond(&self, url: &ResponseUrl, message: &Message) -> Result<(), ChatError> {
        let method = "response_url";
        let resp = self
            .http
            .post(url.as_str())
            .json(&message.to_response_json())
            .send()
            .await
            .map_err(|source| ChatError::Transport {
                method: method.into(),
                source,
            })?;
        match resp.status().as_u16() {
            200..=299 => Ok(()),
            // Slack answers 404 once a response_url has expired or is used up.
            404 | 410 => Err(ChatError::ResponseUrlSpent),
            status => Err(ChatError::Status {
                method: method.into(),
                status,
            }),
        }
    }
}

#[cfg(test)]
mod tests;
