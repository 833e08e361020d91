//! The webhook handlers: verify → dedupe → parse → find the issue → move
//! it → tell its channel. The same code for the Lambda and `serve`.

use std::collections::BTreeMap;
use std::sync::Arc;

use http::HeaderMap;
use sha2::{Digest as _, Sha256};
use switchboard_core::clock::now_secs;
use switchboard_core::config::{BridgeProject, Config};
use switchboard_core::lambda::HttpFunction;
use switchboard_core::reply::{Reply, expect_content_type};
use switchboard_core::runtime::Runtime;
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::settings::{LiveConfig, PerConfig};
use switchboard_core::slack::{Chat, Message, escape};
use switchboard_core::state::{Key, StateStore, claim, release};
use switchboard_trackers::bench::{BenchError, set_bench_link};
use switchboard_trackers::workflow::leading_to;
use switchboard_trackers::{TrackerError, Workflow};
use tracing::Instrument as _;

use crate::events::{self, EventError, Outcome, PrEvent};
use crate::keys::key_for;
use crate::signature;

/// A delivery id is remembered this long; providers redeliver within days.
const DELIVERY_CLAIM_SECS: i64 = 7 * 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Bitbucket,
    Github,
}

/// The claim on a delivery's body, whatever id it came under.
fn body_key(provider: Provider, body: &[u8]) -> Key {
    Key::new(
        "webhook",
        format!("{provider:?}:sha256:{}", hex::encode(Sha256::digest(body))),
    )
}

/// The clients that depend on the config.
pub struct Clients {
    pub chat: Arc<dyn Chat>,
    /// By tracker name.
    pub workflows: BTreeMap<String, Arc<dyn Workflow>>,
}

pub struct Bridge {
    config: LiveConfig,
    secrets: Secrets,
    store: Arc<dyn StateStore>,
    clients: PerConfig<Clients>,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn json(status: u16, text: &str) -> Reply {
    Reply::json(status, &serde_json::json!({ "result": text }))
}

impl Bridge {
    pub fn new(
        config: LiveConfig,
        secrets: Secrets,
        store: Arc<dyn StateStore>,
        build: impl Fn(&Config) -> Clients + Send + Sync + 'static,
    ) -> Self {
        Self {
            config,
            secrets,
            store,
            clients: PerConfig::new(build),
        }
    }

    pub fn from_runtime(rt: Runtime) -> Self {
        let shared = rt.clone();
        Self::new(rt.config, rt.secrets, rt.store, move |config: &Config| {
            Clients {
                chat: Arc::new(shared.slack(config)),
                workflows: config
                    .trackers
                    .iter()
                    .filter_map(|t| {
                        switchboard_trackers::workflow_for(t, &shared.http, &shared.secrets)
                            .map(|w| (t.name.clone(), w))
                    })
                    .collect(),
            }
        })
    }

    /// Handles `POST /webhooks/bitbucket` or `/webhooks/github`.
    pub async fn handle_pr(&self, provider: Provider, headers: &HeaderMap, body: &[u8]) -> Reply {
        let (secret, sig_header, event_header, delivery_header) = match provider {
            Provider::Bitbucket => (
                self.secrets.bitbucket_webhook_secret.as_ref(),
                "x-hub-signature",
                "x-event-key",
                "x-request-uuid",
            ),
            Provider::Github => (
                self.secrets.github_webhook_secret.as_ref(),
                "x-hub-signature-256",
                "x-github-event",
                "x-github-delivery",
            ),
        };
        if let Err(e) = signature::verify(secret, header(headers, sig_header), body) {
            tracing::warn!(?provider, reason = %e, "rejected a webhook");
            return json(401, &e.to_string());
        }
        if let Err(reply) = expect_content_type(headers, "application/json") {
            return json(reply.status, &reply.body);
        }
        let Some(kind) = header(headers, event_header) else {
            return json(400, &format!("missing {event_header} header"));
        };
        // Without an id a delivery could not be told from a replay.
        if header(headers, delivery_header).is_none() {
            return json(400, &format!("missing {delivery_header} header"));
        }
        let event = match provider {
            Provider::Bitbucket => events::bitbucket(kind, body),
            Provider::Github => events::github(kind, body),
        };
        let event = match event {
            Ok(e) => e,
            Err(EventError::Ignored(what)) => {
                tracing::debug!(?provider, what, "ignored webhook");
                return json(200, "ignored");
            }
            Err(e @ EventError::Malformed(_)) => {
                tracing::warn!(?provider, error = %e, "malformed webhook");
                return json(400, &e.to_string());
            }
        };
        let delivery = header(headers, delivery_header).map(|d| {
            Key::new(
                "webhook",
                format!("{provider:?}:{}", d.chars().take(128).collect::<String>()),
            )
        });
        if let Some(key) = &delivery {
            match claim(
                self.store.as_ref(),
                key.clone(),
                now_secs() + DELIVERY_CLAIM_SECS,
            )
            .await
            {
                Ok(true) => {}
                Ok(false) => {
                    tracing::info!(?provider, "redelivered webhook; already handled");
                    return json(200, "already handled");
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not claim the delivery");
                    return json(503, "state store unavailable; redeliver later");
                }
            }
        }
        if let Err(reply) = self.claim_body(provider, body, delivery.as_ref()).await {
            return reply;
        }
        let reply = self.move_issue(&event).await;
        if reply.status >= 500
            && let Some(key) = delivery
        {
            // Let a redelivery try again once the tracker is back.
            if let Err(e) = release(self.store.as_ref(), key).await {
                tracing::warn!(error = %e, "could not release a delivery claim");
            }
            if let Err(e) = release(self.store.as_ref(), body_key(provider, body)).await {
                tracing::warn!(error = %e, "could not release a body claim");
            }
        }
        reply
    }

    /// Claims the body's SHA-256 for the delivery window beside the delivery
    /// id, so a signed body re-sent under a new id acts once. When it cannot
    /// be claimed, the delivery's own claim is let go and the reply is
    /// returned.
    async fn claim_body(
        &self,
        provider: Provider,
        body: &[u8],
        delivery: Option<&Key>,
    ) -> Result<(), Reply> {
        let key = body_key(provider, body);
        let refused = match claim(self.store.as_ref(), key, now_secs() + DELIVERY_CLAIM_SECS).await
        {
            Ok(true) => return Ok(()),
            Ok(false) => {
                tracing::info!(
                    ?provider,
                    "the same body came under a new delivery id; already handled"
                );
                json(200, "already handled")
            }
            Err(e) => {
                tracing::error!(error = %e, "could not claim the delivery body");
                json(503, "state store unavailable; redeliver later")
            }
        };
        if let Some(key) = delivery
            && let Err(e) = release(self.store.as_ref(), key.clone()).await
        {
            tracing::warn!(error = %e, "could not release a delivery claim");
        }
        Err(refused)
    }

    async fn move_issue(&self, event: &PrEvent) -> Reply {
        let config = self.config.get(self.store.as_ref()).await;
        let projects: Vec<&str> = config
            .bridge
            .projects
            .iter()
            .map(|p| p.key.as_str())
            .collect();
        let Some(key) = key_for(&event.title, &event.branch, &event.description, &projects) else {
            tracing::info!(pr = %event.url, "no issue key in the pull request");
            return json(200, "no issue key");
        };
        let Some(project) = config.bridge.project_for(&key) else {
            return json(200, "no issue key");
        };
        if let Some(why) = event.refusal(project, &config.bridge.review_associations) {
            tracing::info!(pr = %event.url, issue = %key, reason = %why, "not acted on");
            return json(200, &format!("not acted on: {why}"));
        }
        let clients = self.clients.get(&config);
        let Some(workflow) = clients.workflows.get(&project.tracker) else {
            tracing::error!(tracker = %project.tracker, "the project's tracker has no client");
            return json(200, "tracker not configured");
        };
        let target = match event.outcome {
            Outcome::Approved => &config.bridge.approved,
            Outcome::Merged => &config.bridge.merged,
            Outcome::Declined => &config.bridge.declined,
            Outcome::ChangesRequested => &config.bridge.changes_requested,
        };
        let span = tracing::info_span!("move_issue", issue = %key, target = %target);
        let result = async {
            let from = workflow.status(&key).await?;
            if from.trim().eq_ignore_ascii_case(target.trim()) {
                return Ok::<_, TrackerError>((from, None));
            }
            let transitions = workflow.transitions(&key).await?;
            let Some(t) = leading_to(&transitions, target).cloned() else {
                return Ok((from, Some(None)));
            };
            workflow.execute(&key, &t).await?;
            Ok((from, Some(Some(t))))
        }
        .instrument(span)
        .await;
        let pr = format!("<{}|{}>", event.url, escape(&event.title));
        match result {
            Ok((from, None)) => {
                tracing::info!(status = %from, "already in the target status");
                json(200, "already there")
            }
            Ok((from, Some(None))) => {
                tracing::warn!(status = %from, "no transition leads to the target status");
                if config.bridge.notify_when_stuck {
                    self.note(
                        &clients,
                        project,
                        &format!(
                            "*{key}* stays in {}: no transition leads to {} (PR {pr} {} by {}).",
                            escape(&from),
                            escape(target),
                            event.outcome.verb(),
                            escape(&event.actor)
                        ),
                    )
                    .await;
                }
                json(200, "no transition to the target status")
            }
            Ok((from, Some(Some(_)))) => {
                tracing::info!(from = %from, "issue moved");
                self.note(
                    &clients,
                    project,
                    &format!(
                        "*{key}* moved {} → {}: PR {pr} {} by {}.",
                        escape(&from),
                        escape(target),
                        event.outcome.verb(),
                        escape(&event.actor)
                    ),
                )
                .await;
                json(200, "moved")
            }
            Err(e) => {
                tracing::error!(error = %e, "could not move the issue");
                json(502, "the tracker could not be reached; redeliver later")
            }
        }
    }

    /// Handles `POST /webhooks/bench`: `{"issue": "SHOP-12", "url": "…"}`,
    /// authenticated by a bearer secret or a `sha256=` signature.
    pub async fn handle_bench(&self, headers: &HeaderMap, body: &[u8]) -> Reply {
        let secret = self.secrets.bench_webhook_secret.as_ref();
        if !bench_authorised(secret, headers, body) {
            tracing::warn!("rejected a bench webhook");
            return json(401, "missing or wrong credentials");
        }
        if let Err(reply) = expect_content_type(headers, "application/json") {
            return json(reply.status, &reply.body);
        }
        #[derive(serde::Deserialize)]
        struct Bench {
            issue: String,
            url: String,
        }
        let Ok(bench) = serde_json::from_slice::<Bench>(body) else {
            return json(
                400,
                "expected {\"issue\": \"KEY-1\", \"url\": \"https://…\"}",
            );
        };
        let config = self.config.get(self.store.as_ref()).await;
        let clients = self.clients.get(&config);
        let key = bench.issue.trim();
        let result = set_bench_link(
            &config,
            |t| clients.workflows.get(t).cloned(),
            key,
            &bench.url,
        )
        .await;
        match result {
            Ok(project) => {
                tracing::info!(issue = %key, "bench link set");
                self.note(
                    &clients,
                    project,
                    &format!("*{key}*: test bench at <{}>", bench.url),
                )
                .await;
                json(200, "bench link set")
            }
            Err(e @ (BenchError::NoField | BenchError::UnknownIssue | BenchError::BadUrl)) => {
                json(400, &e.to_string())
            }
            Err(e @ BenchError::NoTracker) => json(500, &e.to_string()),
            Err(BenchError::Tracker(e)) => {
                tracing::error!(issue = %key, error = %e, "could not set the bench link");
                json(502, "the tracker could not be reached")
            }
        }
    }

    async fn note(&self, clients: &Clients, project: &BridgeProject, text: &str) {
        let Some(channel) = &project.channel else {
            return;
        };
        if let Err(e) = clients
            .chat
            .post_message(channel, &Message::in_channel(text))
            .await
        {
            tracing::warn!(error = %e, "could not post the note to Slack");
        }
    }
}

/// A bearer token equal to the secret, or a valid `sha256=` signature.
fn bench_authorised(secret: Option<&Secret>, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(secret) = secret else { return false };
    if let Some(token) = header(headers, "authorization").and_then(|v| v.strip_prefix("Bearer ")) {
        // Comparing digests keeps the comparison's time independent of
        // where the strings first differ.
        return Sha256::digest(token.trim().as_bytes())
            == Sha256::digest(secret.expose().as_bytes());
    }
    signature::verify(Some(secret), header(headers, "x-hub-signature-256"), body).is_ok()
}
#[async_trait::async_trait]
impl HttpFunction for Bridge {
    async fn handle(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
        match path {
            "/webhooks/bitbucket" => self.handle_pr(Provider::Bitbucket, headers, body).await,
            "/webhooks/github" => self.handle_pr(Provider::Github, headers, body).await,
            "/webhooks/bench" => self.handle_bench(headers, body).await,
            _ => Reply::plain(404, "not found"),
        }
    }
}
