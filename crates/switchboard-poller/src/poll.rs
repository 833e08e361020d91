//! One poll: for every subscription, read the board's new actions, post
//! each once, move the cursor. Shared by the Lambda, `switchboard poll` and
//! `switchboard serve`. The exactly-once protocol (claims, marks, the
//! cursor's compare-and-set) is in `once.rs`.
//!
//! Memory is bounded by `Tuning::window`, not by the backlog: a run pages
//! back from the newest action to the cursor keeping only the oldest
//! window, posts those, and moves the cursor over them; the next run
//! carries on from there.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use switchboard_core::clock::now_secs;
use switchboard_core::config::{Config, Subscription, TrackerKind};
use switchboard_core::ids::ChannelId;
use switchboard_core::outbound::{Backoff, Pace, TooLong};
use switchboard_core::runtime::Runtime;
use switchboard_core::services::{Live, Services};
use switchboard_core::slack::Chat;
use switchboard_core::state::{Condition, Item, Key, StateStore, StoreError};
use switchboard_core::trello::TrelloError;
use switchboard_core::trello::actions::{ActionSource, Page};
use switchboard_core::trello::subs::{Origin, SubscriptionStore, in_force};
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::action::{Action, ActionId, Entry};
use crate::ledger;
use crate::trello::{self, PAGE_LIMIT};

/// Actions per thread reply under a summary: 25 sections stay well inside
/// Block Kit's 50 blocks and Slack's message size.
pub const BATCH: usize = 25;

/// Actions one subscription holds in a run by default: two Trello pages,
/// far inside the Lambda's 128 MB. A longer backlog drains a window a run,
/// oldest first.
pub const WINDOW: usize = 2_000;

/// Knobs a test or a benchmark turns; the defaults suit production.
#[derive(Debug, Clone)]
pub struct Tuning {
    /// An upper bound on `poller.claim_stale_after_seconds`, for tests;
    /// in production the config decides.
    pub stale_after: Duration,
    /// The first wait after a Trello 429 or 5xx; it doubles up to
    /// `max_backoff` (Trello's window is 10 s).
    pub backoff: Duration,
    pub max_backoff: Duration,
    /// Messages read back when looking for an earlier run's post.
    pub history_limit: usize,
    /// The most actions a subscription holds in one run, besides the page
    /// being read; newer ones wait for a later run.
    pub window: usize,
    /// Actions asked for in one Trello request; Trello's largest is 1,000.
    pub page_limit: usize,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            stale_after: Duration::MAX,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
            history_limit: 500,
            window: WINDOW,
            page_limit: PAGE_LIMIT,
        }
    }
}

/// What a run did, for logs, `switchboard poll` and the benchmark.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    pub subscriptions: usize,
    /// New subscriptions that started from now.
    pub started: usize,
    pub actions_posted: usize,
    pub messages: usize,
    pub trello_requests: usize,
    /// Subscriptions left for later: another run held them, or time ran out.
    pub deferred: usize,
    /// Subscriptions that failed (logged) or have no credentials.
    pub failed: usize,
    /// Subscriptions with more actions waiting than a run reads; the next
    /// run carries on from the cursor.
    pub backlogged: usize,
}

impl Report {
    fn add(&mut self, o: &Report) {
        self.subscriptions += o.subscriptions;
        self.started += o.started;
        self.actions_posted += o.actions_posted;
        self.messages += o.messages;
        self.trello_requests += o.trello_requests;
        self.deferred += o.deferred;
        self.failed += o.failed;
        self.backlogged += o.backlogged;
    }

    /// The run's one summary line. The pattern names every field, so a
    /// counter added to the report cannot be left out of the log.
    fn log(&self) {
        let Report {
            subscriptions,
            started,
            actions_posted,
            messages,
            trello_requests,
            deferred,
            failed,
            backlogged,
        } = self;
        tracing::info!(
            subscriptions,
            started,
            posted = actions_posted,
            messages,
            trello_requests,
            deferred,
            failed,
            backlogged,
            "poll finished"
        );
    }
}

pub struct Poller {
    live: Live<Services>,
    store: Arc<dyn StateStore>,
    tuning: Tuning,
}

impl Poller {
    pub fn new(live: Live<Services>, store: Arc<dyn StateStore>, tuning: Tuning) -> Self {
        Self {
            live,
            store,
            tuning,
        }
    }

    /// The real clients: Slack, and Trello for each tracker with a key and
    /// a token. A tracker without them is reported once per config, and its
    /// subscriptions are skipped.
    pub fn from_runtime(rt: Runtime) -> Self {
        let live = Live::from_runtime(&rt, |config, http, secrets| {
            let services = Services::from_config(config, http, secrets)
                .with_trello_actions(config, http, secrets);
            warn_unpollable(config, &services);
            services
        });
        Self::new(live, rt.store, Tuning::default())
    }

    /// The config in force, so callers can read the schedule.
    pub async fn config(&self) -> Arc<Config> {
        self.live.config(self.store.as_ref()).await
    }

    /// One pass over every subscription. No new post starts after
    /// `deadline`; what is left waits for the next run. Channels are worked
    /// on side by side, each at Slack's pace.
    pub async fn run_once(&self, deadline: Instant) -> Report {
        let (config, services) = self.live.get(self.store.as_ref()).await;
        let mut report = Report::default();
        let mut by_channel: BTreeMap<ChannelId, Vec<Work>> = BTreeMap::new();
        // A store that cannot be read costs the channels' own subscriptions
        // this run, never the config's.
        let stored = match SubscriptionStore::new(self.store.as_ref()).list(None).await {
            Ok(stored) => stored,
            Err(e) => {
                tracing::error!(
                    error = format!("{e:#}"),
                    "cannot read the channels' Trello subscriptions; polling the config's only"
                );
                Vec::new()
            }
        };
        for (sub, origin) in in_force(&config.poller.subscriptions, stored) {
            report.subscriptions += 1;
            let Some(source) = services.trello(&sub.tracker) else {
                report.failed += 1;
                continue;
            };
            let web_url = config
                .trackers
                .iter()
                .find(|t| t.name == sub.tracker)
                .map(|t| t.url.clone())
                .unwrap_or_else(|| "https://trello.com".into());
            by_channel
                .entry(sub.channel.clone())
                .or_default()
                .push(Work {
                    floor: match origin {
                        Origin::Config => None,
                        Origin::Added { at, .. } => Some(ActionId::at(at)),
                    },
                    sub,
                    source: source.clone(),
                    web_url,
                });
        }
        if report.subscriptions == 0 {
            tracing::debug!("no poller subscriptions are configured");
            return report;
        }
        let mut tasks = tokio::task::JoinSet::new();
        for (channel, works) in by_channel {
            let run = ChannelRun {
                store: self.store.clone(),
                chat: services.chat().clone(),
                tuning: Tuning {
                    stale_after: self
                        .tuning
                        .stale_after
                        .min(Duration::from_secs(config.poller.claim_stale_after_seconds)),
                    ..self.tuning.clone()
                },
                threshold: config.poller.summary_threshold,
                pacer: Pace::every(Duration::from_millis(config.poller.post_interval_ms)),
                deadline,
                channel,
                found: HashMap::new(),
                report: Report::default(),
            };
            tasks.spawn(run.all(works));
        }
        while let Some(done) = tasks.join_next().await {
            match done {
                Ok(r) => report.add(&r),
                Err(e) => {
                    tracing::error!(error = %e, "a channel's poll task failed");
                    report.failed += 1;
                }
            }
        }
        report.log();
        report
    }
}

/// Names the config's boards that cannot be polled, because their Trello
/// tracker has no key or token and so no client.
fn warn_unpollable(config: &Config, services: &Services) {
    let unpollable = config
        .trackers
        .iter()
        .filter(|t| t.kind == TrackerKind::Trello && services.trello(&t.name).is_none());
    for t in unpollable {
        let boards: Vec<&str> = config
            .poller
            .subscriptions
            .iter()
            .filter(|s| s.tracker == t.name)
            .map(|s| s.board.as_str())
            .collect();
        if !boards.is_empty() {
            tracing::warn!(
                tracker = %t.name,
                boards = %boards.join(", "),
                "not polling these Trello boards: set {} (the API key) and {}",
                switchboard_core::secrets::tracker_var(&t.name, "USER"),
                switchboard_core::secrets::tracker_var(&t.name, "TOKEN"),
            );
        }
    }
}

/// Parses a page into `held`: what is after the cursor, with actions the
/// subscription filters out kept as skips so the cursor can pass them.
fn keep(
    page: Vec<serde_json::Value>,
    work: &Work,
    cursor: &ActionId,
    held: &mut BTreeMap<ActionId, Entry>,
) {
    for value in page {
        let Some(entry) = trello::parse(value) else {
            continue;
        };
        if entry.id() <= cursor {
            continue;
        }
        let entry = match entry {
            Entry::Post(a) if !a.wanted_by(&work.sub) => Entry::Skip {
                id: a.id,
                why: "filtered out by the subscription".into(),
            },
            other => other,
        };
        held.insert(entry.id().clone(), entry);
    }
}

/// One subscription and the clients it reads with.
pub(crate) struct Work {
    pub(crate) sub: Subscription,
    /// For a channel-made subscription, its creation: a cursor left by an
    /// earlier subscription of the same board and channel must not replay
    /// what happened while it was gone.
    floor: Option<ActionId>,
    source: Arc<dyn ActionSource>,
    pub(crate) web_url: String,
}

/// A subscription's new entries, read and ready to deliver.
pub(crate) struct Batch {
    pub(crate) work: Work,
    /// The cursor as stored (compare-and-set needs the exact text).
    pub(crate) cursor: String,
    /// Complete from the cursor on: no action between two of them is missing.
    pub(crate) entries: Vec<Entry>,
    /// More actions follow the last entry than this run read.
    pub(crate) more: bool,
}

impl Batch {
    pub(crate) fn postable(&self) -> impl Iterator<Item = &Action> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Post(a) => Some(a.as_ref()),
            Entry::Skip { .. } => None,
        })
    }
}

pub(crate) struct ChannelRun {
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) chat: Arc<dyn Chat>,
    pub(crate) tuning: Tuning,
    threshold: usize,
    /// Keeps posts to the channel `post_interval_ms` apart.
    pub(crate) pacer: Pace,
    pub(crate) deadline: Instant,
    pub(crate) channel: ChannelId,
    /// Metadata already read back from Slack, by thread (`None`: the
    /// channel itself), so recovering many claims costs one read each.
    pub(crate) found: HashMap<Option<String>, Vec<(String, crate::format::Marker)>>,
    pub(crate) report: Report,
}

impl ChannelRun {
    /// Reads every subscription of the channel first, so the summary
    /// threshold counts all the channel reads this run, then delivers each.
    async fn all(mut self, works: Vec<Work>) -> Report {
        let mut batches = Vec::new();
        for work in works {
            let span = tracing::info_span!("subscription", board = %work.sub.board, channel = %work.sub.channel);
            if let Some(b) = self.read(work).instrument(span).await {
                batches.push(b);
            }
        }
        let total: usize = batches.iter().map(|b| b.postable().count()).sum();
        let summarise = total > self.threshold;
        for batch in batches {
            let span = tracing::info_span!("subscription", board = %batch.work.sub.board, channel = %batch.work.sub.channel);
            self.deliver(batch, summarise).instrument(span).await;
        }
        self.report
    }

    /// The subscription's cursor and the entries after it, oldest first.
    /// A new subscription gets a cursor at "now" and reads nothing yet.
    async fn read(&mut self, work: Work) -> Option<Batch> {
        let key = ledger::cursor_key(&work.sub);
        let stored = match self.store.get(&key).await {
            Ok(item) => item,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "cannot read the poller cursor");
                self.report.failed += 1;
                return None;
            }
        };
        let Some(stored) = stored else {
            self.start(key).await;
            return None;
        };
        let Some(cursor) = ActionId::parse(&stored.value) else {
            tracing::error!(
                cursor = %stored.value,
                "the stored cursor is not a Trello action id; this subscription is stopped until it is fixed"
            );
            self.report.failed += 1;
            return None;
        };
        // Reads start at the later of the two; the cursor as stored stays
        // the value its compare-and-set expects.
        let cursor = match &work.floor {
            Some(floor) if *floor > cursor => floor.clone(),
            _ => cursor,
        };
        let (entries, more) = match self.fetch(&work, &cursor).await {
            Ok(read) => read,
            Err(e) => {
                tracing::error!(error = %e, "reading the board's actions failed; the next run tries again");
                self.report.failed += 1;
                return None;
            }
        };
        if more {
            self.report.backlogged += 1;
        }
        Some(Batch {
            work,
            cursor: stored.value,
            entries: entries.into_values().collect(),
            more,
        })
    }

    /// Starts a new subscription from now: the board's history is not
    /// replayed.
    async fn start(&mut self, key: Key) {
        let now = ActionId::at(now_secs());
        let item = Item {
            key,
            value: now.to_string(),
            expires_at: None,
        };
        match self.store.put(item, Condition::Absent).await {
            Ok(()) => {
                tracing::info!(cursor = %now, "new subscription: starting from now; earlier board activity is not posted");
                self.report.started += 1;
            }
            // Another run started it a moment ago.
            Err(StoreError::ConditionFailed) => self.report.deferred += 1,
            Err(e) => {
                tracing::error!(
                    error = format!("{e:#}"),
                    "cannot store the new subscription's cursor"
                );
                self.report.failed += 1;
            }
        }
    }

    /// The oldest actions after the cursor, at most a window of them, and
    /// whether more follow. Pages back from the newest with `before` until
    /// it reaches the cursor, keeping only the oldest window as it goes, so
    /// memory holds a window and one page whatever the backlog. Nothing is
    /// returned unless the read reached the cursor, so what is returned is
    /// every action from the cursor to the last one.
    async fn fetch(
        &mut self,
        work: &Work,
        cursor: &ActionId,
    ) -> Result<(BTreeMap<ActionId, Entry>, bool), TrelloError> {
        let mut held = BTreeMap::new();
        let mut more = false;
        let mut before: Option<ActionId> = None;
        loop {
            let page = self.page(work, cursor, before.as_ref()).await?;
            let full = page.len() >= self.tuning.page_limit;
            let oldest = page
                .iter()
                .filter_map(|v| v.get("id")?.as_str().and_then(ActionId::parse))
                .min();
            keep(page, work, cursor, &mut held);
            // The newest go first: a later run reads them again, once the
            // cursor has moved over the ones kept.
            // A window of at least one, so every run can make progress.
            while held.len() > self.tuning.window.max(1) {
                held.pop_last();
                more = true;
            }
            match oldest {
                Some(oldest) if full && &oldest > cursor && before.as_ref() != Some(&oldest) => {
                    before = Some(oldest);
                }
                _ => return Ok((held, more)),
            }
        }
    }

    /// One page, waiting and retrying through rate limits and outages
    /// while the run has time.
    async fn page(
        &mut self,
        work: &Work,
        since: &ActionId,
        before: Option<&ActionId>,
    ) -> Result<Vec<serde_json::Value>, TrelloError> {
        let mut retries = Backoff {
            first: self.tuning.backoff,
            max: self.tuning.max_backoff,
            retries: u32::MAX,
            too_long: TooLong::WaitMax,
        }
        .start(Some(self.deadline));
        loop {
            self.report.trello_requests += 1;
            let page = Page {
                board: &work.sub.board,
                since: since.as_str(),
                before: before.map(ActionId::as_str),
                limit: self.tuning.page_limit,
            };
            match work.source.page(page).await {
                Ok(page) => return Ok(page),
                // Trello names no wait, so the policy's own doubling applies.
                Err(e) if e.is_retryable() => match retries.next(None) {
                    Ok(wait) => {
                        tracing::warn!(error = %e, wait_ms = wait.as_millis() as u64, "Trello asked to wait; retrying");
                        tokio::time::sleep(wait).await;
                    }
                    Err(_) => return Err(e),
                },
                Err(e) => return Err(e),
            }
        }
    }
}
