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
    async fn update_message(
        &self,
        channel: &ChannelId,
        ts: &str,
        message: &Message,
    ) -> Result<(), ChatError> {
        let _ = (channel, ts, message);
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
    /// One thread's messages (`conversations.replies`), oldest first and
    /// the parent included, at most `limit`, with metadata.
    /// `conversations.history` leaves thread replies out, so this is how a
    /// reply is found again. Fakes that never read threads may keep the
    /// default, which says it is unsupported rather than answering "none".
    async fn replies(
        &self,
        channel: &ChannelId,
        thread_ts: &str,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let _ = (channel, thread_ts, limit);
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

    async fn update_message(
        &self,
        channel: &ChannelId,
        ts: &str,
        message: &Message,
    ) -> Result<(), ChatError> {
        self.call("chat.update", message.to_update_json(channel.as_str(), ts))
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
        channel: &ChannelId,
        thread_ts: &str,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let body = serde_json::json!({ "channel": channel.as_str(), "ts": thread_ts });
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
mod tests {
    use super::*;
    use wiremock::matchers::{body_partial_json, header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    fn api(server: &MockServer) -> SlackWebApi {
        SlackWebApi::new(http_client(), &server.uri(), Some(Secret::new("xoxb-test")))
    }

    fn channel() -> ChannelId {
        ChannelId::parse("C123").expect("channel")
    }

    #[tokio::test]
    async fn posts_with_the_bot_token_and_returns_ts() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/chat.postMessage"))
            .and(header("authorization", "Bearer xoxb-test"))
            .and(body_partial_json(
                serde_json::json!({"channel": "C123", "text": "hi"}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"ok": true, "channel": "C123", "ts": "1503435956.000247"}),
            ))
            .expect(1)
            .mount(&server)
            .await;
        let ts = api(&server)
            .post_message(&channel(), &Message::in_channel("hi"))
            .await
            .expect("posted");
        assert_eq!(ts, "1503435956.000247");
    }

    #[tokio::test]
    async fn honours_retry_after_then_succeeds() {
        let server = MockServer::start().await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": true, "ts": "1.2"})),
            )
            .mount(&server)
            .await;
        let started = std::time::Instant::now();
        let ts = api(&server)
            .post_message(&channel(), &Message::in_channel("hi"))
            .await
            .expect("posted after waiting");
        assert_eq!(ts, "1.2");
        assert!(
            started.elapsed() >= Duration::from_secs(1),
            "waited for Retry-After"
        );
    }

    #[tokio::test]
    async fn gives_up_when_retry_after_is_too_long() {
        let server = MockServer::start().await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
            .mount(&server)
            .await;
        let err = api(&server)
            .post_message(&channel(), &Message::in_channel("hi"))
            .await
            .expect_err("rate limited");
        assert!(matches!(err, ChatError::RateLimited(_)), "{err:?}");
    }

    #[tokio::test]
    async fn reports_ok_false_and_5xx() {
        let server = MockServer::start().await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": false, "error": "channel_not_found"})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/conversations.open"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        let err = api(&server)
            .post_message(&channel(), &Message::in_channel("hi"))
            .await
            .expect_err("not found");
        assert_eq!(
            err.to_string(),
            "Slack refused chat.postMessage: channel_not_found"
        );
        let err = api(&server)
            .open_dm(&UserId::parse("U1").expect("user"))
            .await
            .expect_err("503");
        assert!(
            matches!(err, ChatError::Status { status: 503, .. }),
            "{err:?}"
        );
    }

    #[tokio::test]
    async fn times_out_a_slow_slack() {
        let server = MockServer::start().await;
        Mock::given(path("/chat.postMessage"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
            .mount(&server)
            .await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(300))
            .build()
            .expect("client");
        let api = SlackWebApi::new(http, &server.uri(), Some(Secret::new("x")));
        let err = api
            .post_message(&channel(), &Message::in_channel("hi"))
            .await
            .expect_err("timeout");
        assert!(matches!(err, ChatError::Transport { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn opens_dms_and_looks_up_users() {
        let server = MockServer::start().await;
        Mock::given(path("/conversations.open"))
            .and(body_partial_json(serde_json::json!({"users": "U1"})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": true, "channel": {"id": "D069C7QFK"}})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/users.lookupByEmail"))
            .and(wiremock::matchers::body_string("email=a%40example.com"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": true, "user": {"id": "W012A3CDE"}})),
            )
            .mount(&server)
            .await;
        Mock::given(path("/users.lookupByEmail"))
            .and(wiremock::matchers::body_string(
                "email=nobody%40example.com",
            ))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": false, "error": "users_not_found"})),
            )
            .mount(&server)
            .await;
        let api = api(&server);
        let dm = api
            .open_dm(&UserId::parse("U1").expect("user"))
            .await
            .expect("dm");
        assert_eq!(dm.as_str(), "D069C7QFK");
        let found = api
            .lookup_user_by_email("a@example.com")
            .await
            .expect("lookup");
        assert_eq!(found.map(|u| u.to_string()).as_deref(), Some("W012A3CDE"));
        assert_eq!(
            api.lookup_user_by_email("nobody@example.com")
                .await
                .expect("lookup"),
            None
        );
    }

    #[tokio::test]
    async fn unfurls_by_id_or_by_message() {
        let server = MockServer::start().await;
        Mock::given(path("/chat.unfurl"))
            .and(body_partial_json(serde_json::json!({
                "unfurl_id": "C123.456.link",
                "source": "conversations_history",
            })))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path("/chat.unfurl"))
            .and(body_partial_json(
                serde_json::json!({"channel": "C123", "ts": "1.2"}),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
            .expect(1)
            .mount(&server)
            .await;
        let card = Card {
            title: "#1 x".into(),
            url: "https://t/ticket/1".into(),
            ..Card::default()
        };
        let cards = vec![("https://t/ticket/1".to_string(), card)];
        let api = api(&server);
        api.unfurl(
            &UnfurlTarget::Id {
                unfurl_id: "C123.456.link".into(),
                source: "conversations_history".into(),
            },
            &cards,
        )
        .await
        .expect("by id");
        api.unfurl(
            &UnfurlTarget::Message {
                channel: "C123".into(),
                ts: "1.2".into(),
            },
            &cards,
        )
        .await
        .expect("by message");
        let sent = server.received_requests().await.unwrap_or_default();
        let body: serde_json::Value = serde_json::from_slice(&sent[0].body).expect("json");
        assert_eq!(
            body["unfurls"]["https://t/ticket/1"]["blocks"][0]["type"],
            "section"
        );
    }

    #[tokio::test]
    async fn posts_blocks_threads_and_metadata() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/chat.postMessage"))
            .and(body_partial_json(serde_json::json!({
                "channel": "C123",
                "thread_ts": "1.5",
                "metadata": { "event_type": "sb", "event_payload": { "id": "x" } },
            })))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "ok": true, "ts": "2.5" })),
            )
            .expect(1)
            .mount(&server)
            .await;
        let msg = Message::in_channel("t")
            .in_thread("1.5")
            .with_metadata("sb", serde_json::json!({ "id": "x" }));
        let ts = api(&server)
            .post_message(&channel(), &msg)
            .await
            .expect("posted");
        assert_eq!(ts, "2.5");
    }

    #[tokio::test]
    async fn reads_history_across_pages_with_metadata() {
        use wiremock::matchers::body_string_contains;
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/conversations.history"))
            .and(body_string_contains("cursor=next1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "ok": true,
                "messages": [{ "ts": "1.0", "text": "old" }],
                "response_metadata": { "next_cursor": "" },
            })))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(path("/conversations.history"))
            .and(body_string_contains("include_all_metadata=true"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "ok": true,
                "messages": [{
                    "ts": "2.0",
                    "metadata": { "event_type": "sb", "event_payload": { "id": "a" } },
                }],
                "response_metadata": { "next_cursor": "next1" },
            })))
            .mount(&server)
            .await;
        let got = api(&server)
            .history(&channel(), Some("0.5"), 10)
            .await
            .expect("history");
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].ts, "2.0");
        let meta = got[0].metadata.as_ref().expect("metadata");
        assert_eq!(meta.payload["id"], "a");
        assert!(got[1].metadata.is_none());
    }

    #[tokio::test]
    async fn auth_test_names_the_workspace_and_bot() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/auth.test"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "ok": true, "team": "Acme", "user": "switchboard", "user_id": "U0BOT",
            })))
            .mount(&server)
            .await;
        assert_eq!(
            api(&server).auth_test().await.expect("ok"),
            ("Acme".to_owned(), "switchboard".to_owned())
        );
    }

    #[tokio::test]
    async fn reads_a_thread_with_metadata() {
        use wiremock::matchers::body_string_contains;
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/conversations.replies"))
            .and(body_string_contains("ts=1.5"))
            .and(body_string_contains("include_all_metadata=true"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "ok": true,
                "messages": [
                    { "ts": "1.5", "thread_ts": "1.5" },
                    {
                        "ts": "1.6",
                        "thread_ts": "1.5",
                        "metadata": { "event_type": "sb", "event_payload": { "ids": "a,b" } },
                    },
                ],
                "has_more": false,
            })))
            .expect(1)
            .mount(&server)
            .await;
        let got = api(&server)
            .replies(&channel(), "1.5", 50)
            .await
            .expect("replies");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].thread_ts.as_deref(), Some("1.5"));
        let meta = got[1].metadata.as_ref().expect("metadata");
        assert_eq!(meta.payload["ids"], "a,b");
    }

    #[tokio::test]
    async fn without_a_token_it_says_so() {
        let api = SlackWebApi::new(http_client(), "http://127.0.0.1:9", None);
        let err = api
            .post_message(&channel(), &Message::in_channel("hi"))
            .await
            .expect_err("no token");
        assert!(err.to_string().contains("SLACK_BOT_TOKEN"));
    }

    #[tokio::test]
    async fn response_url_posts_and_notices_expiry() {
        let server = MockServer::start().await;
        Mock::given(path("/hook/ok"))
            .and(body_partial_json(
                serde_json::json!({"response_type": "in_channel", "text": "done"}),
            ))
            .respond_with(ResponseTemplate::new(200))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(path("/hook/expired"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let api = api(&server);
        let ok = ResponseUrl::parse(&format!("{}/hook/ok", server.uri())).expect("url");
        api.respond(&ok, &Message::in_channel("done"))
            .await
            .expect("posted");
        let expired = ResponseUrl::parse(&format!("{}/hook/expired", server.uri())).expect("url");
        assert!(matches!(
            api.respond(&expired, &Message::in_channel("late")).await,
            Err(ChatError::ResponseUrlSpent)
        ));
    }
}
