//! The Events API handler: verify → parse → claim the event → recognise →
//! fetch within the budget → keep each link once per channel → unfurl.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::audit::{self, AuditEntry, Outcome};
use switchboard_core::clock::now_secs;
use switchboard_core::edge::{Auth, Edge, JSON, Verified};
use switchboard_core::ids::{TeamId, UserId};
use switchboard_core::reply::Reply;
use switchboard_core::runtime::Runtime;
use switchboard_core::secrets::Secrets;
use switchboard_core::services::Live;
use switchboard_core::slack::events::{LinkShared, SlackEvent};
use switchboard_core::slack::{Card, UnfurlTarget};
use switchboard_core::state::once::{self, Begun};
use switchboard_core::state::{Key, StateStore, claim, release};
use switchboard_trackers::Services;
use tokio::task::JoinSet;
use tracing::Instrument as _;

use crate::card::card;

/// Slack waits 3 s for an answer; chat.unfurl must be done by then, with a
/// margin for a cold start and the network.
const SLACK_DEADLINE: Duration = Duration::from_millis(2500);
/// An event id is remembered this long (Slack retries within minutes).
const EVENT_CLAIM_SECS: i64 = 86_400;

pub struct Unfurler {
    live: Live<Services>,
    secrets: Secrets,
    store: Arc<dyn StateStore>,
}

impl Unfurler {
    pub fn new(live: Live<Services>, secrets: Secrets, store: Arc<dyn StateStore>) -> Self {
        Self {
            live,
            secrets,
            store,
        }
    }

    /// The real clients; fails start-up without a signing secret.
    pub fn from_runtime(rt: Runtime) -> anyhow::Result<Self> {
        if rt.secrets.slack_signing_secret.is_none() {
            anyhow::bail!(
                "SLACK_SIGNING_SECRET is missing: set it in the environment or the stack's secret"
            );
        }
        let live = Live::from_runtime(&rt, Services::from_config);
        Ok(Self::new(live, rt.secrets, rt.store))
    }

    /// The unfurler's route: Slack's Events API, signed by Slack.
    pub fn edge(self: Arc<Self>) -> Edge {
        let auth = Auth::Slack(self.secrets.slack_signing_secret.clone());
        Edge::new().route("/slack/events", JSON, auth, move |req| {
            let u = self.clone();
            async move { u.event(&req).await }
        })
    }

    /// Handles a verified `POST /slack/events`.
    pub async fn event(&self, req: &Verified) -> Reply {
        let started = tokio::time::Instant::now();
        let event = match SlackEvent::from_json(req.body()) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!(error = %e, "rejected a malformed event");
                return Reply::plain(400, &e.to_string());
            }
        };
        match event {
            SlackEvent::UrlVerification { challenge } => {
                Reply::json(200, &serde_json::json!({ "challenge": challenge }))
            }
            SlackEvent::Other { kind, .. } => {
                tracing::debug!(kind, "ignoring an event this function does not handle");
                Reply::plain(200, "")
            }
            SlackEvent::LinkShared(shared) => {
                let retry = req.header("x-slack-retry-num").unwrap_or("0").to_owned();
                let span = tracing::info_span!(
                    "link_shared",
                    event_id = %shared.event_id,
                    team = shared.team.as_ref().map_or("", TeamId::as_str),
                    channel = %shared.channel,
                    user = shared.user.as_ref().map_or("", UserId::as_str),
                    retry = %retry,
                );
                self.link_shared(shared, started).instrument(span).await;
                Reply::plain(200, "")
            }
        }
    }

    /// Records an event refused for its workspace, so it can be seen.
    async fn audit_foreign(&self, shared: &LinkShared) {
        let entry = AuditEntry {
            at: now_secs(),
            team: shared
                .team
                .as_ref()
                .map(TeamId::to_string)
                .unwrap_or_default(),
            user: shared
                .user
                .as_ref()
                .map(UserId::to_string)
                .unwrap_or_default(),
            channel: shared.channel.to_string(),
            command: "event:link_shared".into(),
            text: String::new(),
            outcome: Outcome::Denied.as_str().into(),
            detail: "team not in slack.team_ids".into(),
        };
        audit::record(self.store.as_ref(), &entry).await;
    }

    async fn link_shared(&self, shared: LinkShared, started: tokio::time::Instant) {
        let event = Key::new("event", &shared.event_id);
        let until = once::in_progress_until(now_secs());
        let claim = match once::begin(self.store.as_ref(), event, until).await {
            Ok(Begun::Won(claim)) => claim,
            Ok(Begun::Done | Begun::InProgress) => {
                tracing::info!("event already handled (a Slack retry); doing nothing");
                return;
            }
            Err(e) => {
                // Without the claim a retry could unfurl twice, so stop here.
                tracing::error!(
                    error = format!("{:#}", anyhow::Error::new(e)),
                    "could not claim the event"
                );
                return;
            }
        };
        self.unfurl(shared, started).await;
        // A run killed before this leaves an in-progress record that
        // expires soon after its deadline, so Slack's retry can do the work.
        if let Err(e) = claim
            .finish(self.store.as_ref(), now_secs() + EVENT_CLAIM_SECS)
            .await
        {
            tracing::warn!(error = %e, "could not mark the event handled");
        }
    }

    async fn unfurl(&self, shared: LinkShared, started: tokio::time::Instant) {
        let (config, services) = self.live.get(self.store.as_ref()).await;
        if !config.slack.admits_team(shared.team.as_ref()) {
            tracing::warn!("an event from a workspace outside slack.team_ids; ignored");
            self.audit_foreign(&shared).await;
            return;
        }
        if shared.links.len() > config.unfurl.max_links {
            tracing::info!(
                links = shared.links.len(),
                max = config.unfurl.max_links,
                "too many links in one message; unfurling none"
            );
            return;
        }
        let budget = started + Duration::from_millis(config.unfurl.budget_ms);
        let cards = self.fetch_cards(&services, &shared.links, budget).await;

        // Composer previews carry a stand-in channel, so a repeat window
        // there would hide one person's preview from everyone else.
        let composer = shared.source.as_deref() == Some("composer");
        let window = if composer {
            0
        } else {
            config.unfurl.repeat_minutes
        };
        let (fresh, claimed) = self
            .keep_fresh(shared.channel.as_str(), cards, window)
            .await;
        if fresh.is_empty() {
            return;
        }
        let target = match (&shared.unfurl_id, &shared.source) {
            (Some(unfurl_id), Some(source)) => UnfurlTarget::Id {
                unfurl_id: unfurl_id.clone(),
                source: source.clone(),
            },
            _ => UnfurlTarget::Message {
                channel: shared.channel.to_string(),
                ts: shared.message_ts.clone(),
            },
        };
        let deadline = started + SLACK_DEADLINE;
        let chat = services.chat();
        let failure = match tokio::time::timeout_at(deadline, chat.unfurl(&target, &fresh)).await {
            Ok(Ok(())) => {
                tracing::info!(cards = fresh.len(), "unfurled");
                return;
            }
            Ok(Err(e)) => e.to_string(),
            Err(_) => "no answer in time".to_owned(),
        };
        tracing::error!(error = failure, "chat.unfurl failed");
        // Nothing was shown, so the links must not wait out the window.
        for key in claimed {
            if let Err(e) = release(self.store.as_ref(), key).await {
                tracing::warn!(error = %e, "could not release a repeat-window claim");
            }
        }
    }

    /// Keeps the cards whose ticket was not unfurled in this channel within
    /// the window, claiming them (all at once) for the next `minutes`.
    /// Returns the cards and the keys claimed.
    async fn keep_fresh(
        &self,
        channel: &str,
        cards: Vec<(String, String, Card)>,
        minutes: u64,
    ) -> (Vec<(String, Card)>, Vec<Key>) {
        if minutes == 0 {
            return (
                cards
                    .into_iter()
                    .map(|(url, _, card)| (url, card))
                    .collect(),
                Vec::new(),
            );
        }
        let until = now_secs()
            .saturating_add(i64::try_from(minutes.saturating_mul(60)).unwrap_or(i64::MAX / 2));
        let mut claims = JoinSet::new();
        for (index, (_, ticket, _)) in cards.iter().enumerate() {
            // The ticket (and comment), not the raw URL, names the link:
            // query strings differ, and URLs can outgrow a sort key.
            let key = Key::new(format!("unfurled#{channel}"), ticket.clone());
            let store = self.store.clone();
            claims.spawn(async move {
                let won = claim(store.as_ref(), key.clone(), until).await;
                (index, key, won)
            });
        }
        let mut won = Vec::new();
        while let Some(joined) = claims.join_next().await {
            let Ok((index, key, result)) = joined else {
                continue;
            };
            match result {
                Ok(true) => won.push((index, key)),
                Ok(false) => {
                    tracing::info!(ticket = %key.sk, "unfurled in this channel recently; skipping")
                }
                Err(e) => {
                    tracing::warn!(ticket = %key.sk, error = %e, "could not record the unfurl; skipping it")
                }
            }
        }
        won.sort_by_key(|(index, _)| *index);
        let keys: Vec<Key> = won.iter().map(|(_, k)| k.clone()).collect();
        let mut cards: Vec<Option<(String, String, Card)>> = cards.into_iter().map(Some).collect();
        let fresh = won
            .iter()
            .filter_map(|(index, _)| cards.get_mut(*index).and_then(Option::take))
            .map(|(url, _, card)| (url, card))
            .collect();
        (fresh, keys)
    }

    /// Fetches every recognised link in parallel; what is not back by the
    /// deadline, or fails, gets no card (and a log line saying why).
    async fn fetch_cards(
        &self,
        services: &Services,
        links: &[String],
        deadline: tokio::time::Instant,
    ) -> Vec<(String, String, Card)> {
        let mut tasks = JoinSet::new();
        for (index, url) in links.iter().enumerate() {
            let Some(link) = services.recognise(url) else {
                tracing::debug!(url, "not a link to a configured tracker");
                continue;
            };
            // Only a Trello tracker without its key and token has no client.
            let Some(tracker) = services.cards(&link.tracker) else {
                tracing::warn!(url, tracker = %link.tracker, "no card: the tracker has no credentials");
                continue;
            };
            tasks.spawn(async move {
                let result = tokio::time::timeout_at(deadline, tracker.fetch(&link)).await;
                (index, link, result)
            });
        }
        let mut cards = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let Ok((index, link, result)) = joined else {
                tracing::error!("a tracker fetch panicked");
                continue;
            };
            match result {
                Ok(Ok(view)) => {
                    let label = switchboard_trackers::label(link.kind);
                    let ticket = format!(
                        "{}/{}/{}#{}",
                        link.tracker,
                        link.project,
                        link.key,
                        link.comment.unwrap_or(0)
                    );
                    cards.push((
                        index,
                        link.url.clone(),
                        ticket,
                        card(&view, label, &link.url),
                    ));
                }
                Ok(Err(e)) => {
                    tracing::warn!(url = %link.url, tracker = %link.tracker, error = %e, "no card")
                }
                Err(_) => {
                    tracing::warn!(url = %link.url, tracker = %link.tracker, "no card: the tracker was too slow")
                }
            }
        }
        // Keep the order the links were shared in.
        cards.sort_by_key(|(index, _, _, _)| *index);
        cards
            .into_iter()
            .map(|(_, url, ticket, card)| (url, ticket, card))
            .collect()
    }
}

/// The whole edge in-process, for tests: an event as Slack sends it.
#[cfg(test)]
impl Unfurler {
    pub(crate) async fn handle_event(
        self: &Arc<Self>,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Reply {
        let app = self.clone().edge().into_router();
        switchboard_core::edge::dispatch(&app, "/slack/events", headers, body).await
    }
}

#[cfg(test)]
mod tests;
