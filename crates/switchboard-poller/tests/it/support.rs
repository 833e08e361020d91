//! Fakes for the poller's outside world: a Trello board (in process, or
//! served over HTTP by wiremock), a Slack that behaves like Slack
//! (`conversations.history` leaves thread replies out), a store that can
//! "crash", and a log capture.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use switchboard_core::config::Config;
use switchboard_core::ids::{ChannelId, UserId};
use switchboard_core::services::{Live, Services};
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::{
    Card, Chat, ChatError, HistoryMessage, Message, Metadata, Posted as SlackPosted, ResponseUrl,
    UnfurlTarget,
};
use switchboard_core::state::{Condition, Item, Key, Query, StateStore, StoreError};
use switchboard_core::trello::TrelloError;
use switchboard_core::trello::actions::{ActionSource, Page};
use switchboard_poller::action::ActionId;
use switchboard_poller::{Poller, Tuning};
use tokio::sync::Notify;

pub const BOARD: &str = "5f1c0ffee0ddba11deadbeef";
pub const CHANNEL: &str = "C0TEAM";
/// Generated actions start at this time (2024-05-03).
pub const BASE_TS: i64 = 1_714_731_300;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The n-th generated action's id: ten a second, in order.
pub fn id(n: usize) -> String {
    format!("{:08x}{:016x}", BASE_TS + (n / 10) as i64, n)
}

/// A generated action of one of the four kinds, shaped like Trello's.
pub fn action(n: usize) -> serde_json::Value {
    let board = serde_json::json!({ "id": BOARD, "name": "Website", "shortLink": "Wb5sLk9Q" });
    let card = serde_json::json!({ "id": format!("6630a1e2f3b4c5d6{n:08x}"), "name": format!("Card {n}"), "shortLink": format!("c{n:07}") });
    let todo = serde_json::json!({ "id": "5f1c0ffee0ddba11dead0001", "name": "To Do" });
    let done = serde_json::json!({ "id": "5f1c0ffee0ddba11dead0002", "name": "Done" });
    let (kind, data) = match n % 4 {
        0 => (
            "createCard",
            serde_json::json!({ "board": board, "card": card, "list": todo }),
        ),
        1 => (
            "updateCard",
            serde_json::json!({ "board": board, "card": card, "listBefore": todo, "listAfter": done, "old": { "idList": "5f1c0ffee0ddba11dead0001" } }),
        ),
        2 => (
            "commentCard",
            serde_json::json!({ "board": board, "card": card, "list": done, "text": format!("comment {n}") }),
        ),
        _ => (
            "updateCheckItemStateOnCard",
            serde_json::json!({ "board": board, "card": card, "checkItem": { "id": "x", "name": "step", "state": "complete" } }),
        ),
    };
    serde_json::json!({
        "id": id(n),
        "idMemberCreator": "5a9e8d7c6b5a4f3e2d1c0b0a",
        "type": kind,
        "date": "2024-05-03T10:15:00.000Z",
        "data": data,
        "memberCreator": { "id": "5a9e8d7c6b5a4f3e2d1c0b0a", "fullName": "Ann Example", "username": "ann" },
    })
}

/// A board's actions, answered the way Trello pages them: newest first,
/// after `since`, before `before`, at most `limit`.
#[derive(Default)]
pub struct Board {
    actions: Mutex<Vec<serde_json::Value>>,
    pub requests: AtomicUsize,
}

impl Board {
    pub fn with(count: usize) -> Arc<Self> {
        let b = Self::default();
        lock(&b.actions).extend((0..count).map(action));
        Arc::new(b)
    }

    pub fn push(&self, value: serde_json::Value) {
        lock(&self.actions).push(value);
    }

    pub fn select(
        &self,
        since: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Vec<serde_json::Value> {
        let mut out: Vec<serde_json::Value> = lock(&self.actions)
            .iter()
            .filter(|a| {
                let id = a["id"].as_str().unwrap_or_default();
                id > since && before.is_none_or(|b| id < b)
            })
            .cloned()
            .collect();
        out.sort_by(|a, b| b["id"].as_str().cmp(&a["id"].as_str()));
        out.truncate(limit);
        out
    }
}

#[async_trait]
impl ActionSource for Board {
    async fn page(&self, page: Page<'_>) -> Result<Vec<serde_json::Value>, TrelloError> {
        assert_eq!(page.board, BOARD);
        self.requests.fetch_add(1, Ordering::SeqCst);
        Ok(self.select(page.since, page.before, page.limit))
    }
}

/// Serves a `Board` as Trello's REST API.
pub struct TrelloHttp {
    pub board: Arc<Board>,
    /// The first this many requests get a 429 like Trello's.
    pub rate_limited: AtomicUsize,
}

impl wiremock::Respond for TrelloHttp {
    fn respond(&self, req: &wiremock::Request) -> wiremock::ResponseTemplate {
        if self
            .rate_limited
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return wiremock::ResponseTemplate::new(429).set_body_json(serde_json::json!({
                "error": "API_TOKEN_LIMIT_EXCEEDED",
                "message": "Rate limit exceeded"
            }));
        }
        let q: BTreeMap<String, String> = req.url.query_pairs().into_owned().collect();
        let limit = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50);
        let page = self.board.select(
            q.get("since").map(String::as_str).unwrap_or(""),
            q.get("before").map(String::as_str),
            limit,
        );
        wiremock::ResponseTemplate::new(200).set_body_json(page)
    }
}

/// One message Slack holds.
#[derive(Debug, Clone)]
pub struct Posted {
    pub channel: String,
    pub ts: String,
    pub thread_ts: Option<String>,
    pub metadata: Option<Metadata>,
    pub text: String,
    pub at: tokio::time::Instant,
}

/// Slack, as far as the poller uses it.
pub struct SlackSim {
    pub posts: Mutex<Vec<Posted>>,
    /// Crash right after Slack takes post number n (1-based).
    crash_after_post: Mutex<Option<usize>>,
    /// Answer the next post with this error instead.
    refuse_next: Mutex<Option<String>>,
    crash: Arc<Notify>,
}

impl SlackSim {
    pub fn new(crash: Arc<Notify>) -> Arc<Self> {
        Arc::new(Self {
            posts: Mutex::new(Vec::new()),
            crash_after_post: Mutex::new(None),
            refuse_next: Mutex::new(None),
            crash,
        })
    }

    pub fn crash_after_post(&self, n: Option<usize>) {
        *lock(&self.crash_after_post) = n;
    }

    pub fn refuse_next(&self, code: &str) {
        *lock(&self.refuse_next) = Some(code.to_owned());
    }

    pub fn posts(&self) -> Vec<Posted> {
        lock(&self.posts).clone()
    }

    /// How many times each action id was posted, from the messages' metadata.
    pub fn posted_ids(&self) -> BTreeMap<String, usize> {
        let mut out = BTreeMap::new();
        for p in self.posts() {
            let Some(m) = p.metadata else { continue };
            if let Some(ids) = m.payload["actions"].as_str() {
                for id in ids.split(',') {
                    *out.entry(id.to_owned()).or_default() += 1;
                }
            }
        }
        out
    }

    /// Top-level messages (summaries and single posts).
    pub fn top_level(&self) -> Vec<Posted> {
        self.posts()
            .into_iter()
            .filter(|p| p.thread_ts.is_none())
            .collect()
    }
}

#[async_trait]
impl Chat for SlackSim {
    async fn post_message(
        &self,
        channel: &ChannelId,
        message: &Message,
    ) -> Result<String, ChatError> {
        // Other runs get a turn here, as they would while a request is out.
        tokio::task::yield_now().await;
        if let Some(code) = lock(&self.refuse_next).take() {
            return Err(ChatError::Slack {
                method: "chat.postMessage".into(),
                code,
            });
        }
        let (ts, n) = {
            let mut posts = lock(&self.posts);
            let n = posts.len() + 1;
            // Like Slack's: the posting time, unique per message.
            let ts = format!("{}.{n:06}", switchboard_core::clock::now_secs());
            posts.push(Posted {
                channel: channel.as_str().to_owned(),
                ts: ts.clone(),
                thread_ts: message.thread_ts.clone(),
                metadata: message.metadata.clone(),
                text: message.text.clone(),
                at: tokio::time::Instant::now(),
            });
            (ts, n)
        };
        if *lock(&self.crash_after_post) == Some(n) {
            self.crash.notify_one();
            std::future::pending::<()>().await;
        }
        Ok(ts)
    }

    async fn history(
        &self,
        channel: &ChannelId,
        oldest: Option<&str>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let oldest: f64 = oldest.and_then(|o| o.parse().ok()).unwrap_or(0.0);
        Ok(self
            .posts()
            .into_iter()
            .rev()
            .filter(|p| p.channel == channel.as_str() && p.thread_ts.is_none())
            .filter(|p| p.ts.parse::<f64>().unwrap_or(0.0) > oldest)
            .take(limit)
            .map(|p| HistoryMessage {
                ts: p.ts,
                thread_ts: None,
                metadata: p.metadata,
            })
            .collect())
    }

    async fn replies(
        &self,
        thread: SlackPosted<'_>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        Ok(self
            .posts()
            .into_iter()
            .filter(|p| {
                p.channel == thread.channel.as_str()
                    && (p.ts == thread.ts || p.thread_ts.as_deref() == Some(thread.ts))
            })
            .take(limit)
            .map(|p| HistoryMessage {
                ts: p.ts,
                thread_ts: p.thread_ts,
                metadata: p.metadata,
            })
            .collect())
    }

    async fn open_dm(&self, _user: &UserId) -> Result<ChannelId, ChatError> {
        unreachable!("the poller opens no DMs")
    }

    async fn lookup_user_by_email(&self, _email: &str) -> Result<Option<UserId>, ChatError> {
        unreachable!("the poller looks nobody up")
    }

    async fn respond(&self, _url: &ResponseUrl, _message: &Message) -> Result<(), ChatError> {
        unreachable!("the poller has no response_url")
    }

    async fn unfurl(
        &self,
        _target: &UnfurlTarget,
        _cards: &[(String, Card)],
    ) -> Result<(), ChatError> {
        unreachable!("the poller unfurls nothing")
    }
}

/// When a `CrashStore` stops.
#[derive(Clone, Copy, Debug)]
pub enum CrashAt {
    Never,
    /// Before the n-th operation (0-based).
    Op(usize),
    /// Before the write that moves the cursor.
    CursorMove,
}

/// A store that "crashes" (stops forever) at a chosen operation, so a test
/// can kill a run at any point between its reads and writes.
pub struct CrashStore {
    inner: Arc<dyn StateStore>,
    at: CrashAt,
    ops: AtomicUsize,
    crash: Arc<Notify>,
}

impl CrashStore {
    pub fn new(inner: Arc<dyn StateStore>, at: CrashAt, crash: Arc<Notify>) -> Arc<Self> {
        Arc::new(Self {
            inner,
            at,
            ops: AtomicUsize::new(0),
            crash,
        })
    }

    pub fn ops(&self) -> usize {
        self.ops.load(Ordering::SeqCst)
    }

    async fn gate(&self, moves_cursor: bool) {
        let n = self.ops.fetch_add(1, Ordering::SeqCst);
        let stop = match self.at {
            CrashAt::Never => false,
            CrashAt::Op(k) => n == k,
            CrashAt::CursorMove => moves_cursor,
        };
        if stop {
            self.crash.notify_one();
            std::future::pending::<()>().await;
        }
    }
}

#[async_trait]
impl StateStore for CrashStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.gate(false).await;
        self.inner.get(key).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        let moves_cursor = item.key.sk == "cursor" && matches!(condition, Condition::ValueIs(_));
        self.gate(moves_cursor).await;
        self.inner.put(item, condition).await
    }

    async fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        self.gate(false).await;
        self.inner.query(q).await
    }
}

/// A source that stops forever when asked for a second page.
pub struct CrashBetweenPages {
    pub inner: Arc<dyn ActionSource>,
    pub crash: Arc<Notify>,
}

#[async_trait]
impl ActionSource for CrashBetweenPages {
    async fn page(&self, page: Page<'_>) -> Result<Vec<serde_json::Value>, TrelloError> {
        if page.before.is_some() {
            self.crash.notify_one();
            std::future::pending::<()>().await;
        }
        self.inner.page(page).await
    }
}

/// The test config: one Trello tracker, one subscription, no pause between
/// posts unless asked.
pub fn config(threshold: usize, interval_ms: u64, extra: &str) -> Config {
    let text = format!(
        r#"
[[trackers]]
name = "trello"
kind = "trello"
url = "https://trello.com"
[poller]
summary_threshold = {threshold}
post_interval_ms = {interval_ms}
[[poller.subscriptions]]
board = "{BOARD}"
channel = "{CHANNEL}"
{extra}
"#
    );
    Config::parse(&text, "test config").expect("test config")
}

pub fn quick() -> Tuning {
    Tuning {
        backoff: std::time::Duration::from_millis(10),
        max_backoff: std::time::Duration::from_millis(40),
        ..Tuning::default()
    }
}

/// A tuning for the run after a crash: every pending claim is stale.
pub fn recovering() -> Tuning {
    Tuning {
        stale_after: std::time::Duration::ZERO,
        ..quick()
    }
}

pub fn poller(
    config: Config,
    store: Arc<dyn StateStore>,
    chat: Arc<dyn Chat>,
    source: Arc<dyn ActionSource>,
    tuning: Tuning,
) -> Poller {
    let live = Live::new(LiveConfig::fixed(config), move |_| {
        Services::new(chat.clone()).with_trello("trello", source.clone())
    });
    Poller::new(live, store, tuning)
}

pub fn cursor_key() -> Key {
    Key::new(format!("trello#{BOARD}#{CHANNEL}"), "cursor")
}

/// Puts the subscription's cursor just before the generated actions.
pub async fn seed_cursor(store: &dyn StateStore) {
    store
        .put(
            Item {
                key: cursor_key(),
                value: ActionId::at(BASE_TS - 1).to_string(),
                expires_at: None,
            },
            Condition::None,
        )
        .await
        .expect("seed cursor");
}

pub async fn cursor(store: &dyn StateStore) -> Option<String> {
    store
        .get(&cursor_key())
        .await
        .expect("read cursor")
        .map(|i| i.value)
}

/// Runs one poll far from any deadline; `true` if it "crashed" first.
pub async fn run_or_crash(poller: &Poller, crash: &Notify) -> bool {
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(600);
    tokio::select! {
        _ = poller.run_once(deadline) => false,
        _ = crash.notified() => true,
    }
}

/// Asserts every one of the first `count` actions was posted exactly once.
pub fn assert_exactly_once(slack: &SlackSim, count: usize, context: &str) {
    let posted = slack.posted_ids();
    let expected: BTreeMap<String, usize> = (0..count).map(|n| (id(n), 1)).collect();
    if posted != expected {
        let missing: Vec<&String> = expected
            .keys()
            .filter(|k| !posted.contains_key(*k))
            .collect();
        let twice: Vec<(&String, &usize)> = posted.iter().filter(|(_, n)| **n > 1).collect();
        panic!(
            "{context}: {} of {count} posted; missing {:?}; more than once {:?}",
            posted.len(),
            missing.iter().take(5).collect::<Vec<_>>(),
            twice.iter().take(5).collect::<Vec<_>>()
        );
    }
}

/// Log lines written while a test runs, at every level.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.0)).into_owned()
    }

    /// Installs a subscriber for the current thread until the guard drops.
    pub fn install(&self) -> tracing::subscriber::DefaultGuard {
        let sink = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        lock(&self.0).extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
