//! The webhook handlers: verify → dedupe → parse → find the issue → move
//! it → tell its channel. The same code for the Lambda and `serve`.

use std::sync::Arc;

use sha2::{Digest as _, Sha256};
use switchboard_core::clock::now_secs;
use switchboard_core::config::BridgeProject;
use switchboard_core::edge::{Auth, Edge, JSON, Verified, webhook_reply as json};
use switchboard_core::reply::Reply;
use switchboard_core::runtime::Runtime;
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::services::Live;
use switchboard_core::slack::{Message, escape};
use switchboard_core::state::once::{self, Begun};
use switchboard_core::state::{Key, StateStore};
use switchboard_trackers::bench::{BenchError, set_bench_link};
use switchboard_trackers::workflow::leading_to;
use switchboard_trackers::{Services, TrackerError};
use tracing::Instrument as _;

use crate::events::{self, EventError, Outcome, PrEvent};
use crate::keys::key_for;

/// A delivery id is remembered this long; providers redeliver within days.
const DELIVERY_CLAIM_SECS: i64 = 7 * 86_400;

/// The whole move (lock, read, transition, note) ends by then, well inside
/// the function's timeout, so a slow tracker cannot leave a killed run.
const MOVE_DEADLINE: std::time::Duration = std::time::Duration::from_secs(7);

/// How often a delivery waiting for an issue's lock looks again.
const LOCK_POLL: std::time::Duration = std::time::Duration::from_millis(100);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Bitbucket,
    Github,
}

pub struct Bridge {
    live: Live<Services>,
    secrets: Secrets,
    store: Arc<dyn StateStore>,
}

impl Bridge {
    pub fn new(live: Live<Services>, secrets: Secrets, store: Arc<dyn StateStore>) -> Self {
        Self {
            live,
            secrets,
            store,
        }
    }

    pub fn from_runtime(rt: Runtime) -> Self {
        let live = Live::from_runtime(&rt, Services::from_config);
        Self::new(live, rt.secrets, rt.store)
    }

    /// The bridge's routes: the providers' webhooks, each behind its own
    /// HMAC, and the bench link behind its bearer secret.
    pub fn edge(self: Arc<Self>) -> Edge {
        let hub = |secret: &Option<Secret>, header| Auth::Hub {
            secret: secret.clone(),
            header,
        };
        let (bitbucket, github) = (self.clone(), self.clone());
        let bench = self.clone();
        Edge::new()
            .route(
                "/webhooks/bitbucket",
                JSON,
                hub(&self.secrets.bitbucket_webhook_secret, "x-hub-signature"),
                move |req| {
                    let b = bitbucket.clone();
                    async move { b.pull_request(Provider::Bitbucket, &req).await }
                },
            )
            .route(
                "/webhooks/github",
                JSON,
                hub(&self.secrets.github_webhook_secret, "x-hub-signature-256"),
                move |req| {
                    let b = github.clone();
                    async move { b.pull_request(Provider::Github, &req).await }
                },
            )
            .route(
                "/webhooks/bench",
                JSON,
                Auth::Bearer(self.secrets.bench_webhook_secret.clone()),
                move |req| {
                    let b = bench.clone();
                    async move { b.bench(&req).await }
                },
            )
    }

    /// Handles a verified `POST /webhooks/bitbucket` or `/webhooks/github`.
    pub async fn pull_request(&self, provider: Provider, req: &Verified) -> Reply {
        let (event_header, delivery_header) = match provider {
            Provider::Bitbucket => ("x-event-key", "x-request-uuid"),
            Provider::Github => ("x-github-event", "x-github-delivery"),
        };
        let body = req.body();
        let Some(kind) = req.header(event_header) else {
            return json(400, &format!("missing {event_header} header"));
        };
        // Without an id a delivery could not be told from a replay.
        let Some(delivery_id) = req.header(delivery_header) else {
            return json(400, &format!("missing {delivery_header} header"));
        };
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
        let delivery = Key::new(
            "webhook",
            format!(
                "{provider:?}:{}",
                delivery_id.chars().take(128).collect::<String>()
            ),
        );
        // The body's SHA-256 too, so a signed body re-sent under a new
        // delivery id acts once.
        let body_key = Key::new(
            "webhook",
            format!("{provider:?}:sha256:{}", hex::encode(Sha256::digest(body))),
        );
        let mut claims = Vec::new();
        for key in [delivery, body_key] {
            match self.begin_delivery(provider, key).await {
                Ok(claim) => claims.push(claim),
                Err(reply) => {
                    self.settle(claims, false).await;
                    return reply;
                }
            }
        }
        let reply = match tokio::time::timeout(MOVE_DEADLINE, self.move_issue(&event)).await {
            Ok(reply) => reply,
            Err(_) => {
                // A transition may have gone through: the redelivery re-reads
                // the issue before moving it.
                tracing::error!("moving the issue outlived its deadline");
                json(503, "the tracker did not answer in time; redeliver later")
            }
        };
        // A failure lets a redelivery try again once the tracker is back.
        self.settle(claims, reply.status < 500).await;
        reply
    }

    /// Takes a delivery's idempotency record, or answers for a delivery
    /// that is done or being handled.
    async fn begin_delivery(&self, provider: Provider, key: Key) -> Result<once::Claim, Reply> {
        let until = once::in_progress_until(now_secs());
        match once::begin(self.store.as_ref(), key, until).await {
            Ok(Begun::Won(claim)) => Ok(claim),
            Ok(Begun::Done) => {
                tracing::info!(
                    ?provider,
                    "redelivered or replayed webhook; already handled"
                );
                Err(json(200, "already handled"))
            }
            Ok(Begun::InProgress) => {
                // If that run dies, its own delivery failed and will be
                // redelivered once the record has expired.
                tracing::info!(?provider, "redelivered webhook; being handled now");
                Err(json(200, "already being handled"))
            }
            Err(e) => {
                tracing::error!(error = %e, "could not claim the delivery");
                Err(json(503, "state store unavailable; redeliver later"))
            }
        }
    }

    /// Marks the delivery's records done, or gives them up.
    async fn settle(&self, claims: Vec<once::Claim>, done: bool) {
        for claim in claims {
            let settled = if done {
                claim
                    .finish(self.store.as_ref(), now_secs() + DELIVERY_CLAIM_SECS)
                    .await
            } else {
                claim.release(self.store.as_ref()).await
            };
            if let Err(e) = settled {
                tracing::warn!(error = %e, "could not settle a delivery claim");
            }
        }
    }

    /// Holds the issue's lock while it is moved, so concurrent deliveries
    /// for one issue take turns: the later one reads the moved status and
    /// neither moves nor notes twice. A dead holder's lock expires.
    async fn lock_issue(&self, key: &str) -> Result<once::Claim, Reply> {
        let lock = Key::new("bridge-issue", key.to_owned());
        loop {
            let until = once::in_progress_until(now_secs());
            match once::begin(self.store.as_ref(), lock.clone(), until).await {
                Ok(Begun::Won(claim)) => return Ok(claim),
                Ok(Begun::InProgress | Begun::Done) => {
                    tokio::time::sleep(LOCK_POLL).await;
                }
                Err(e) => {
                    tracing::error!(error = %e, "could not lock the issue");
                    return Err(json(503, "state store unavailable; redeliver later"));
                }
            }
        }
    }

    async fn move_issue(&self, event: &PrEvent) -> Reply {
        let (config, services) = self.live.get(self.store.as_ref()).await;
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
        let Some(workflow) = services.workflow(&project.tracker) else {
            tracing::error!(tracker = %project.tracker, "the project's tracker has no client");
            return json(200, "tracker not configured");
        };
        let target = match event.outcome {
            Outcome::Approved => &config.bridge.approved,
            Outcome::Merged => &config.bridge.merged,
            Outcome::Declined => &config.bridge.declined,
            Outcome::ChangesRequested => &config.bridge.changes_requested,
        };
        let lock = match self.lock_issue(&key).await {
            Ok(lock) => lock,
            Err(reply) => return reply,
        };
        let span = tracing::info_span!("move_issue", issue = %key, target = %target);
        let at_target = |status: &str| status.trim().eq_ignore_ascii_case(target.trim());
        let result = async {
            let from = workflow.status(&key).await?;
            if at_target(&from) {
                return Ok::<_, TrackerError>((from, None));
            }
            let transitions = workflow.transitions(&key).await?;
            let moved = match leading_to(&transitions, target).cloned() {
                Some(t) => workflow.execute(&key, &t).await.map(|()| true),
                None => Ok(false),
            };
            match moved {
                Ok(true) => Ok((from, Some(true))),
                // Before calling the move stuck or failed, look again: a
                // concurrent move, or our own with a lost answer, may have
                // put it where it should be.
                other => match workflow.status(&key).await {
                    Ok(now) if at_target(&now) => Ok((now, None)),
                    _ => other.map(|_| (from, Some(false))),
                },
            }
        }
        .instrument(span)
        .await;
        if let Err(e) = lock.release(self.store.as_ref()).await {
            tracing::warn!(error = %e, "could not unlock the issue");
        }
        let pr = format!("<{}|{}>", event.url, escape(&event.title));
        match result {
            Ok((from, None)) => {
                tracing::info!(status = %from, "already in the target status");
                json(200, "already there")
            }
            Ok((from, Some(false))) => {
                tracing::warn!(status = %from, "no transition leads to the target status");
                if config.bridge.notify_when_stuck {
                    self.note(
                        &services,
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
            Ok((from, Some(true))) => {
                tracing::info!(from = %from, "issue moved");
                self.note(
                    &services,
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
            // Bad credentials are fixed by an operator, after which a
            // redelivery can finish the move.
            Err(e) if e.is_transient() || matches!(e, TrackerError::Unauthorized(_)) => {
                tracing::error!(error = %e, "could not move the issue");
                json(502, "the tracker could not be reached; redeliver later")
            }
            Err(e) => {
                // The tracker is up and said no; redelivering changes nothing.
                tracing::warn!(error = %e, "the tracker refused to move the issue");
                json(200, &format!("not moved: {e}"))
            }
        }
    }

    /// Handles a verified `POST /webhooks/bench`: `{"issue": "SHOP-12",
    /// "url": "…"}`.
    pub async fn bench(&self, req: &Verified) -> Reply {
        let body = req.body();
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
        let (config, services) = self.live.get(self.store.as_ref()).await;
        let key = bench.issue.trim();
        let result = set_bench_link(&config, &services, key, &bench.url).await;
        match result {
            Ok(project) => {
                tracing::info!(issue = %key, "bench link set");
                self.note(
                    &services,
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

    async fn note(&self, services: &Services, project: &BridgeProject, text: &str) {
        let Some(channel) = &project.channel else {
            return;
        };
        if let Err(e) = services
            .chat()
            .post_message(channel, &Message::in_channel(text))
            .await
        {
            tracing::warn!(error = %e, "could not post the note to Slack");
        }
    }
}

/// The whole edge in-process, for tests: a delivery as a provider sends it.
#[cfg(test)]
impl Bridge {
    pub(crate) async fn handle_pr(
        self: &Arc<Self>,
        provider: Provider,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Reply {
        let path = match provider {
            Provider::Bitbucket => "/webhooks/bitbucket",
            Provider::Github => "/webhooks/github",
        };
        let app = self.clone().edge().into_router();
        switchboard_core::edge::dispatch(&app, path, headers, body).await
    }
}

#[cfg(test)]
mod tests;
