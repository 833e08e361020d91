//! One poll: for every subscription, read the board's new actions, post
//! each once, move the cursor. Shared by the Lambda, `switchboard poll` and
//! `switchboard serve`.
//!
//! Exactly once, without a transaction across Slack and the table: each
//! action is claimed (pending, conditional on absence) before it is posted,
//! posted with its id in the message metadata, then marked posted. A run
//! that meets a fresh pending claim leaves the rest of that subscription to
//! its owner; one that meets a stale claim (its run died) looks for the
//! message in Slack before posting again. The cursor only ever moves to the
//! end of an unbroken run of settled actions, by compare-and-set.
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
use switchboard_core::runtime::Runtime;
use switchboard_core::settings::{LiveConfig, PerConfig};
use switchboard_core::slack::{Chat, ChatError, Message};
use switchboard_core::state::{Condition, Item, Key, StateStore, StoreError, once};
use tokio::time::Instant;
use tracing::Instrument as _;

use crate::action::{Action, ActionId, Entry};
use crate::format;
use crate::ledger::{self, CLAIM_SECS, Claim};
use crate::trello::{self, ActionSource, PAGE_LIMIT, TrelloActions, TrelloError};

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

/// The clients that depend on the config.
pub struct Clients {
    pub chat: Arc<dyn Chat>,
    /// One per Trello tracker that has credentials, by tracker name.
    pub sources: BTreeMap<String, Arc<dyn ActionSource>>,
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
}

pub struct Poller {
    config: LiveConfig,
    store: Arc<dyn StateStore>,
    clients: PerConfig<Clients>,
    tuning: Tuning,
}

impl Poller {
    pub fn new(
        config: LiveConfig,
        store: Arc<dyn StateStore>,
        build: impl Fn(&Config) -> Clients + Send + Sync + 'static,
        tuning: Tuning,
    ) -> Self {
        Self {
            config,
            store,
            clients: PerConfig::new(build),
            tuning,
        }
    }

    /// The real clients: Slack, and Trello for each tracker with a key and
    /// a token. A tracker without them is reported once per config, and its
    /// subscriptions are skipped.
    pub fn from_runtime(rt: Runtime) -> Self {
        let shared = rt.clone();
        Self::new(
            rt.config,
            rt.store,
            move |config: &Config| Clients {
                chat: Arc::new(shared.slack(config)),
                sources: trello_sources(config, &shared),
            },
            Tuning::default(),
        )
    }

    /// The config in force, so callers can read the schedule.
    pub async fn config(&self) -> Arc<Config> {
        self.config.get(self.store.as_ref()).await
    }

    /// One pass over every subscription. No new post starts after
    /// `deadline`; what is left waits for the next run. Channels are worked
    /// on side by side, each at Slack's pace.
    pub async fn run_once(&self, deadline: Instant) -> Report {
        let config = self.config().await;
        let clients = self.clients.get(&config);
        let mut report = Report::default();
        let mut by_channel: BTreeMap<ChannelId, Vec<Work>> = BTreeMap::new();
        for sub in &config.poller.subscriptions {
            report.subscriptions += 1;
            let Some(source) = clients.sources.get(&sub.tracker) else {
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
                    sub: sub.clone(),
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
                chat: clients.chat.clone(),
                tuning: Tuning {
                    stale_after: self
                        .tuning
                        .stale_after
                        .min(Duration::from_secs(config.poller.claim_stale_after_seconds)),
                    ..self.tuning.clone()
                },
                threshold: config.poller.summary_threshold,
                pacer: Pacer::new(Duration::from_millis(config.poller.post_interval_ms)),
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
        tracing::info!(
            subscriptions = report.subscriptions,
            posted = report.actions_posted,
            messages = report.messages,
            trello_requests = report.trello_requests,
            deferred = report.deferred,
            failed = report.failed,
            backlogged = report.backlogged,
            "poll finished"
        );
        report
    }
}

/// The Trello clients a config can have, by tracker name.
fn trello_sources(config: &Config, rt: &Runtime) -> BTreeMap<String, Arc<dyn ActionSource>> {
    let mut out: BTreeMap<String, Arc<dyn ActionSource>> = BTreeMap::new();
    for t in config
        .trackers
        .iter()
        .filter(|t| t.kind == TrackerKind::Trello)
    {
        let key = rt.secrets.tracker(&t.name, "USER");
        let token = rt.secrets.tracker(&t.name, "TOKEN");
        match (key, token) {
            (Some(key), Some(token)) => {
                let api = t.api_url.as_deref().unwrap_or(trello::DEFAULT_API_URL);
                out.insert(
                    t.name.clone(),
                    Arc::new(TrelloActions::new(
                        rt.http.clone(),
                        api,
                        key.clone(),
                        token.clone(),
                    )),
                );
            }
            _ => {
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
    }
    out
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
struct Work {
    sub: Subscription,
    source: Arc<dyn ActionSource>,
    web_url: String,
}

/// A subscription's new entries, read and ready to deliver.
struct Batch {
    work: Work,
    /// The cursor as stored (compare-and-set needs the exact text).
    cursor: String,
    /// Complete from the cursor on: no action between two of them is missing.
    entries: Vec<Entry>,
    /// More actions follow the last entry than this run read.
    more: bool,
}

impl Batch {
    fn postable(&self) -> impl Iterator<Item = &Action> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Post(a) => Some(a.as_ref()),
            Entry::Skip { .. } => None,
        })
    }
}

/// Keeps posts to one channel about `interval` apart.
struct Pacer {
    interval: Duration,
    next: Option<Instant>,
}

impl Pacer {
    fn new(interval: Duration) -> Self {
        Self {
            interval,
            next: None,
        }
    }

    async fn wait(&mut self) {
        if let Some(next) = self.next {
            tokio::time::sleep_until(next).await;
        }
        self.next = Some(Instant::now() + self.interval);
    }
}

/// How one claim attempt ended.
enum Settled {
    /// Ours to post; the value to compare against when marking it.
    Mine(String),
    /// Already posted (by this subscription, some run); its ts if known.
    Done(String),
    /// Another live run holds it.
    Busy,
}

/// Why a subscription stopped early.
enum Stop {
    /// Another run is on it, or time ran out: the next run carries on.
    Later,
    /// Logged where it happened.
    Failed,
}

struct ChannelRun {
    store: Arc<dyn StateStore>,
    chat: Arc<dyn Chat>,
    tuning: Tuning,
    threshold: usize,
    pacer: Pacer,
    deadline: Instant,
    channel: ChannelId,
    /// Metadata already read back from Slack, by thread (`None`: the
    /// channel itself), so recovering many claims costs one read each.
    found: HashMap<Option<String>, Vec<(String, serde_json::Value)>>,
    report: Report,
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
        let mut wait = self.tuning.backoff;
        loop {
            self.report.trello_requests += 1;
            match work
                .source
                .page(
                    &work.sub.board,
                    since.as_str(),
                    before.map(ActionId::as_str),
                    self.tuning.page_limit,
                )
                .await
            {
                Ok(page) => return Ok(page),
                Err(e) if e.is_retryable() && Instant::now() + wait < self.deadline => {
                    tracing::warn!(error = %e, wait_ms = wait.as_millis() as u64, "Trello asked to wait; retrying");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(self.tuning.max_backoff);
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// Posts the batch's actions, one message each or under one summary,
    /// and moves the cursor over what is settled.
    async fn deliver(&mut self, batch: Batch, summarise: bool) {
        let pk = ledger::partition(&batch.work.sub);
        let posted_before = self.report.actions_posted;
        let (settled, stop) = if summarise && batch.postable().next().is_some() {
            self.deliver_summarised(&pk, &batch).await
        } else {
            self.deliver_singly(&pk, &batch).await
        };
        match stop {
            Some(Stop::Later) => self.report.deferred += 1,
            Some(Stop::Failed) => self.report.failed += 1,
            None => {}
        }
        let cursor = match settled {
            Some(upto) => self.advance(&batch, &upto).await,
            None => batch.cursor.clone(),
        };
        tracing::info!(
            posted = self.report.actions_posted - posted_before,
            read = batch.entries.len(),
            more = batch.more,
            cursor = %cursor,
            "subscription polled"
        );
    }

    fn time_is_up(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// One message per action. Returns the last id of the settled prefix.
    async fn deliver_singly(
        &mut self,
        pk: &str,
        batch: &Batch,
    ) -> (Option<ActionId>, Option<Stop>) {
        let sub = &batch.work.sub;
        let mut settled = None;
        for entry in &batch.entries {
            let action = match entry {
                Entry::Skip { id, why } => {
                    tracing::debug!(action = %id, why, "not posted");
                    settled = Some(id.clone());
                    continue;
                }
                Entry::Post(a) => a,
            };
            if self.time_is_up() {
                return (settled, Some(Stop::Later));
            }
            let key = ledger::action_key(pk, &action.id);
            match self
                .settle(&key, None, |p| format::names_action(p, &action.id))
                .await
            {
                Err(stop) => return (settled, Some(stop)),
                Ok(Settled::Busy) => return (settled, Some(Stop::Later)),
                Ok(Settled::Done(_)) => settled = Some(action.id.clone()),
                Ok(Settled::Mine(pending)) => {
                    let message = format::single(action, &sub.board, &batch.work.web_url);
                    match self.post(&message).await {
                        Ok(ts) => {
                            self.mark_posted(&key, &pending, ts).await;
                            self.report.actions_posted += 1;
                            settled = Some(action.id.clone());
                        }
                        Err(e) => {
                            self.after_failed_post(&e, &[(key, pending)]).await;
                            return (settled, Some(Stop::Failed));
                        }
                    }
                }
            }
        }
        (settled, None)
    }

    /// A summary in the channel and the actions in its thread, `BATCH` to a
    /// reply. The summary is keyed by the burst's first action, so a run
    /// that follows a crashed one carries on in the same thread.
    async fn deliver_summarised(
        &mut self,
        pk: &str,
        batch: &Batch,
    ) -> (Option<ActionId>, Option<Stop>) {
        let actions: Vec<&Action> = batch.postable().collect();
        let Some(first) = actions.first().map(|a| a.id.clone()) else {
            return (None, None);
        };
        let board = batch.work.sub.board.as_str();
        let skey = ledger::summary_key(pk, &first);
        let thread = match self
            .settle(&skey, None, |p| format::is_summary(p, &first))
            .await
        {
            Err(stop) => return (None, Some(stop)),
            Ok(Settled::Busy) => return (None, Some(Stop::Later)),
            Ok(Settled::Done(ts)) if !ts.is_empty() => ts,
            Ok(Settled::Done(_)) => {
                tracing::error!("the summary is marked posted without its ts; its actions wait");
                return (None, Some(Stop::Failed));
            }
            Ok(Settled::Mine(pending)) => {
                if self.time_is_up() {
                    self.release(&[(skey, pending)]).await;
                    return (None, Some(Stop::Later));
                }
                match self.post(&format::summary(&actions, board, &first)).await {
                    Ok(ts) => {
                        self.mark_posted(&skey, &pending, ts.clone()).await;
                        ts
                    }
                    Err(e) => {
                        self.after_failed_post(&e, &[(skey, pending)]).await;
                        return (None, Some(Stop::Failed));
                    }
                }
            }
        };

        let mut settled: Option<ActionId> = None;
        let mut examined: Option<ActionId> = None;
        let mut chunk: Vec<(&Action, Key, String)> = Vec::new();
        let mut stop = None;
        for entry in &batch.entries {
            let action = match entry {
                Entry::Skip { id, .. } => {
                    examined = Some(id.clone());
                    if chunk.is_empty() {
                        settled = examined.clone();
                    }
                    continue;
                }
                Entry::Post(a) => a,
            };
            if self.time_is_up() {
                stop = Some(Stop::Later);
                break;
            }
            let key = ledger::action_key(pk, &action.id);
            match self
                .settle(&key, Some(&thread), |p| format::names_action(p, &action.id))
                .await
            {
                Err(s) => {
                    stop = Some(s);
                    break;
                }
                Ok(Settled::Busy) => {
                    stop = Some(Stop::Later);
                    break;
                }
                Ok(Settled::Done(_)) => {
                    examined = Some(action.id.clone());
                    if chunk.is_empty() {
                        settled = examined.clone();
                    }
                }
                Ok(Settled::Mine(pending)) => {
                    examined = Some(action.id.clone());
                    chunk.push((action, key, pending));
                    if chunk.len() == BATCH {
                        if !self.flush(&mut chunk, batch, &thread).await {
                            return (settled, Some(Stop::Failed));
                        }
                        settled = examined.clone();
                    }
                }
            }
        }
        if !chunk.is_empty() {
            if !self.flush(&mut chunk, batch, &thread).await {
                return (settled, Some(Stop::Failed));
            }
            settled = examined;
        }
        (settled, stop)
    }

    /// Posts one thread reply for the claimed actions in `chunk`.
    async fn flush(
        &mut self,
        chunk: &mut Vec<(&Action, Key, String)>,
        batch: &Batch,
        thread: &str,
    ) -> bool {
        let actions: Vec<&Action> = chunk.iter().map(|(a, _, _)| *a).collect();
        let message = format::batch(&actions, &batch.work.sub.board, &batch.work.web_url, thread);
        let claims: Vec<(Key, String)> = chunk.drain(..).map(|(_, k, p)| (k, p)).collect();
        match self.post(&message).await {
            Ok(ts) => {
                for (key, pending) in &claims {
                    self.mark_posted(key, pending, ts.clone()).await;
                }
                self.report.actions_posted += claims.len();
                true
            }
            Err(e) => {
                self.after_failed_post(&e, &claims).await;
                false
            }
        }
    }

    /// Claims `key` for this run, or says who has it. A stale pending claim
    /// is looked up in Slack (`thread`, else the channel) with `is_it`
    /// before it is taken over.
    async fn settle(
        &mut self,
        key: &Key,
        thread: Option<&str>,
        is_it: impl Fn(&serde_json::Value) -> bool,
    ) -> Result<Settled, Stop> {
        let now = now_secs();
        let mine = Claim::Pending {
            at: now,
            thread: thread.map(str::to_owned),
            owner: Some(once::new_owner()),
        }
        .encode();
        let item = |value: &str| Item {
            key: key.clone(),
            value: value.to_owned(),
            expires_at: Some(now + CLAIM_SECS),
        };
        // Twice: a claim released between the failed write and the read
        // reads as absent and can be won on the second pass.
        for _ in 0..2 {
            // A claim whose answer was lost is read back: our own token
            // means the write was ours.
            let claimed =
                once::put_confirmed(self.store.as_ref(), item(&mine), Condition::Absent).await;
            match claimed {
                Ok(()) => return Ok(Settled::Mine(mine)),
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(self.store_failed(&e)),
            }
            let current = match self.store.get(key).await {
                Ok(Some(c)) => c,
                Ok(None) => continue,
                Err(e) => return Err(self.store_failed(&e)),
            };
            let (at, old_thread) = match Claim::decode(&current.value) {
                Claim::Posted { ts } => return Ok(Settled::Done(ts)),
                Claim::Pending { at, thread, .. } => (at, thread),
            };
            let age = Duration::from_secs(u64::try_from(now - at).unwrap_or(0));
            if age < self.tuning.stale_after {
                return Ok(Settled::Busy);
            }
            tracing::warn!(claim = %key.sk, age_secs = age.as_secs(), "an earlier run died holding this claim; checking Slack for its post");
            let found = match self.find_posted(old_thread, at, &is_it).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read Slack to settle a stale claim; it waits for the next run");
                    return Err(Stop::Failed);
                }
            };
            let (value, outcome) = match found {
                Some(ts) => {
                    tracing::info!(claim = %key.sk, "the earlier run had posted it");
                    (Claim::Posted { ts: ts.clone() }.encode(), Settled::Done(ts))
                }
                None => (mine.clone(), Settled::Mine(mine.clone())),
            };
            return match self
                .store
                .put(item(&value), Condition::ValueIs(current.value))
                .await
            {
                Ok(()) => Ok(outcome),
                Err(StoreError::ConditionFailed) => Ok(Settled::Busy),
                Err(e) => Err(self.store_failed(&e)),
            };
        }
        Ok(Settled::Busy)
    }

    fn store_failed(&self, e: &StoreError) -> Stop {
        tracing::error!(
            error = format!("{e:#}"),
            "the state store failed; the next run carries on"
        );
        Stop::Failed
    }

    /// The ts of a message in `thread` (or the channel, posted after about
    /// `since`) whose poller metadata satisfies `is_it`.
    async fn find_posted(
        &mut self,
        thread: Option<String>,
        since: i64,
        is_it: &impl Fn(&serde_json::Value) -> bool,
    ) -> Result<Option<String>, ChatError> {
        if !self.found.contains_key(&thread) {
            let messages = match &thread {
                Some(ts) => {
                    self.chat
                        .replies(&self.channel, ts, self.tuning.history_limit)
                        .await?
                }
                None => {
                    // Clocks differ; look a little before the claim.
                    let oldest = format!("{}.000000", (since - 300).max(0));
                    self.chat
                        .history(&self.channel, Some(&oldest), self.tuning.history_limit)
                        .await?
                }
            };
            let ours = messages
                .into_iter()
                .filter_map(|m| {
                    let meta = m.metadata?;
                    (meta.event_type == format::EVENT_TYPE).then_some((m.ts, meta.payload))
                })
                .collect();
            self.found.insert(thread.clone(), ours);
        }
        Ok(self
            .found
            .get(&thread)
            .and_then(|ms| ms.iter().find(|(_, p)| is_it(p)))
            .map(|(ts, _)| ts.clone()))
    }

    async fn post(&mut self, message: &Message) -> Result<String, ChatError> {
        self.pacer.wait().await;
        let ts = self.chat.post_message(&self.channel, message).await?;
        self.report.messages += 1;
        Ok(ts)
    }

    /// Marks a claim posted. If this write is lost, the claim stays pending
    /// and a later run finds the message in Slack, so nothing is posted
    /// twice; the failure is only logged.
    async fn mark_posted(&self, key: &Key, pending: &str, ts: String) {
        let item = Item {
            key: key.clone(),
            value: Claim::Posted { ts }.encode(),
            expires_at: Some(now_secs() + CLAIM_SECS),
        };
        match self
            .store
            .put(item, Condition::ValueIs(pending.to_owned()))
            .await
        {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => tracing::warn!(
                claim = %key.sk,
                "another run took this claim over while it was being posted"
            ),
            Err(e) => tracing::warn!(
                claim = %key.sk,
                error = format!("{e:#}"),
                "posted, but could not record it; a later run will find the post in Slack"
            ),
        }
    }

    /// After a failed post: when Slack surely did not take the message,
    /// the claims are released so the next run retries at once; when it
    /// may have (a timeout, a dropped connection), they stay pending and
    /// the next run looks in Slack first.
    async fn after_failed_post(&mut self, e: &ChatError, claims: &[(Key, String)]) {
        let unsure = matches!(e, ChatError::Transport { .. });
        tracing::error!(
            error = %e,
            cause = %match e {
                ChatError::Transport { source, .. } => switchboard_core::slack::api::transport_causes(source),
                _ => String::new(),
            },
            unsure,
            "posting to Slack failed; the next run tries again"
        );
        if !unsure {
            self.release(claims).await;
        }
    }

    /// Gives claims up, only where they are still this run's.
    async fn release(&self, claims: &[(Key, String)]) {
        for (key, pending) in claims {
            let expired = Item {
                key: key.clone(),
                value: String::new(),
                expires_at: Some(now_secs() - 1),
            };
            if let Err(e) = self
                .store
                .put(expired, Condition::ValueIs(pending.clone()))
                .await
            {
                tracing::warn!(claim = %key.sk, error = format!("{e:#}"), "could not release a claim; it goes stale instead");
            }
        }
    }

    /// Moves the cursor forward to `upto` by compare-and-set; a cursor
    /// another run moved further is left where it is. Returns the cursor.
    async fn advance(&mut self, batch: &Batch, upto: &ActionId) -> String {
        let key = ledger::cursor_key(&batch.work.sub);
        let mut previous = batch.cursor.clone();
        for _ in 0..5 {
            if upto.as_str() <= previous.as_str() {
                return previous;
            }
            let item = Item {
                key: key.clone(),
                value: upto.to_string(),
                expires_at: None,
            };
            match self
                .store
                .put(item, Condition::ValueIs(previous.clone()))
                .await
            {
                Ok(()) => return upto.to_string(),
                Err(StoreError::ConditionFailed) => match self.store.get(&key).await {
                    Ok(Some(current)) => previous = current.value,
                    Ok(None) => break,
                    Err(e) => {
                        self.store_failed(&e);
                        break;
                    }
                },
                Err(e) => {
                    self.store_failed(&e);
                    break;
                }
            }
        }
        tracing::warn!(
            "the cursor did not move this time; the next run re-reads and skips what is posted"
        );
        previous
    }
}
