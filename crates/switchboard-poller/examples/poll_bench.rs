//! Benchmark: a 100,000-action backlog on one board drained over successive
//! runs, with Trello's REST API and Slack's Web API served by wiremock over
//! HTTP and the real clients on both sides. Prints, per run, the actions
//! posted, the requests and the peak memory of the process during that run,
//! then the number of runs to drain and the largest peak. It also checks
//! what Slack received: every action once, oldest first.
//!
//! Run: `cargo run --release -p switchboard-poller --example poll_bench [ACTIONS [WINDOW [keep]]]`;
//! a WINDOW as large as ACTIONS reads the whole backlog in one run, for
//! comparison, and `keep` keeps every claim in the process's store.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchboard_core::secrets::Secret;
use switchboard_core::slack::SlackWebApi;
use switchboard_core::state::{Condition, Item, Key, MemoryStore, Query, StateStore, StoreError};
use switchboard_core::trello::TrelloApi;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

#[allow(dead_code)]
#[path = "../tests/it/support.rs"]
mod support;

/// A `/proc/self/status` figure in KiB.
fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Resets the peak resident set (VmHWM) to the current one, so each run's
/// peak is its own (Linux 4.0 and later).
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// The generated board of `count` actions, each made when a page asks for
/// it: the fake holds none, so the process's memory is the poller's (with
/// the servers and the store's claims).
struct LazyTrello {
    count: usize,
}

impl LazyTrello {
    /// The first n in 0..count for which `below(n)` is false; ids grow
    /// with n, so this is a binary search.
    fn first_not(&self, below: impl Fn(usize) -> bool) -> usize {
        let (mut lo, mut hi) = (0, self.count);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if below(mid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        lo
    }
}

impl Respond for LazyTrello {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let q: BTreeMap<String, String> = req.url.query_pairs().into_owned().collect();
        let limit: usize = q.get("limit").and_then(|l| l.parse().ok()).unwrap_or(50);
        let since = q.get("since").cloned().unwrap_or_default();
        let start = self.first_not(|n| support::id(n) <= since);
        let end = match q.get("before") {
            Some(b) => self.first_not(|n| support::id(n) < *b),
            None => self.count,
        }
        .max(start);
        // Newest first, at most `limit`, as Trello pages.
        let page: Vec<serde_json::Value> = (start.max(end.saturating_sub(limit))..end)
            .rev()
            .map(support::action)
            .collect();
        ResponseTemplate::new(200).set_body_json(page)
    }
}

/// The memory store, except that once the cursor moves, the claims of the
/// actions it passed are forgotten, as DynamoDB's TTL forgets them later.
/// Deployed, the table is not in the Lambda's memory; this keeps the
/// benchmark's store from growing with the backlog, so the process's peak
/// is the poller's. Slack's count still shows each action posted once.
struct Forgetting {
    inner: Mutex<Arc<MemoryStore>>,
}

impl Forgetting {
    fn current(&self) -> Arc<MemoryStore> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Copies the partition's live items not passed by `cursor` into a
    /// fresh store.
    async fn forget_below(&self, pk: &str, cursor: &str) -> Result<(), StoreError> {
        let old = self.current();
        let fresh = Arc::new(MemoryStore::new());
        for item in old.query(Query::partition(pk)).await? {
            let passed = item
                .key
                .sk
                .split_once('#')
                .is_some_and(|(_, id)| id <= cursor);
            if !passed {
                fresh.put(item, Condition::None).await?;
            }
        }
        *self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = fresh;
        Ok(())
    }
}

#[async_trait::async_trait]
impl StateStore for Forgetting {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.current().get(key).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        let cursor = (item.key.sk == "cursor").then(|| (item.key.pk.clone(), item.value.clone()));
        self.current().put(item, condition).await?;
        match cursor {
            Some((pk, value)) => self.forget_below(&pk, &value).await,
            None => Ok(()),
        }
    }

    async fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        self.current().query(q).await
    }
}

/// What Slack received: how often each action was posted, and how many
/// came before an older one.
#[derive(Default)]
struct Received {
    times: Vec<u8>,
    last: Option<usize>,
    out_of_order: usize,
    messages: usize,
}

/// Slack's `chat.postMessage`, counting what it is given.
#[derive(Clone)]
struct SlackFake {
    received: Arc<Mutex<Received>>,
    ts: Arc<AtomicUsize>,
}

impl Respond for SlackFake {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let n = self.ts.fetch_add(1, Ordering::SeqCst) + 1;
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
        let mut r = self
            .received
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        r.messages += 1;
        let ids = body["metadata"]["event_payload"]["actions"]
            .as_str()
            .unwrap_or_default();
        for k in ids.split(',').filter_map(number) {
            if let Some(t) = r.times.get_mut(k) {
                *t = t.saturating_add(1);
            }
            if r.last.is_some_and(|last| k < last) {
                r.out_of_order += 1;
            }
            r.last = Some(k);
        }
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({ "ok": true, "ts": format!("1714800000.{n:06}") }))
    }
}

/// Mounts both fakes afresh: a mounted mock keeps every request it matched,
/// which over a whole drain would be the process's largest allocation.
async fn remount(trello: &MockServer, slack: &MockServer, count: usize, fake: &SlackFake) {
    trello.reset().await;
    slack.reset().await;
    Mock::given(method("GET"))
        .and(path(format!("/1/boards/{}/actions", support::BOARD)))
        .respond_with(LazyTrello { count })
        .mount(trello)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(fake.clone())
        .mount(slack)
        .await;
}

/// The generated action number of an id (its last 16 hex digits).
fn number(id: &str) -> Option<usize> {
    usize::from_str_radix(id.get(8..)?, 16).ok()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let window: usize = std::env::args()
        .nth(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(switchboard_poller::WINDOW);
    // A third argument `keep` keeps every claim in memory, as the plain
    // memory store does.
    let keep = std::env::args().nth(3).as_deref() == Some("keep");
    let store: Arc<dyn StateStore> = if keep {
        Arc::new(MemoryStore::new())
    } else {
        Arc::new(Forgetting {
            inner: Mutex::new(Arc::new(MemoryStore::new())),
        })
    };
    println!(
        "a {count}-action backlog drained over successive runs (window {window}, Trello and Slack over HTTP on loopback, {})",
        if keep {
            "memory store keeping every claim"
        } else {
            "memory store forgetting claims the cursor passed"
        }
    );

    // Recording would keep every request for the whole drain; each mock
    // still keeps the requests it matched, so both are mounted afresh
    // before every run (`remount`).
    let trello = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    let slack = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    let fake = SlackFake {
        received: Arc::new(Mutex::new(Received {
            times: vec![0; count],
            ..Received::default()
        })),
        ts: Arc::new(AtomicUsize::new(0)),
    };
    let received = fake.received.clone();

    support::seed_cursor(store.as_ref()).await;
    let http = switchboard_core::slack::api::http_client();
    let chat = Arc::new(SlackWebApi::new(
        http.clone(),
        &slack.uri(),
        Some(Secret::new("xoxb-bench")),
    ));
    let source = Arc::new(TrelloApi::new(
        http,
        &trello.uri(),
        Secret::new("bench-key"),
        Secret::new("bench-token"),
    ));
    // No pause between posts: this measures Switchboard's own work.
    let poller = support::poller(
        support::config(20, 0, ""),
        store,
        chat,
        source,
        switchboard_poller::Tuning {
            window,
            ..switchboard_poller::Tuning::default()
        },
    );

    let measured = reset_peak();
    if !measured {
        println!("(cannot reset VmHWM here; the peaks below are since the start)");
    }
    println!(
        "{:>4} {:>8} {:>8} {:>8} {:>9} {:>9} {:>8}",
        "run", "posted", "trello", "messages", "rss MiB", "peak MiB", "ms"
    );
    let started = Instant::now();
    let (mut runs, mut posted, mut requests) = (0, 0, 0);
    let mut worst: (u64, usize) = (0, 0);
    loop {
        runs += 1;
        remount(&trello, &slack, count, &fake).await;
        reset_peak();
        let before = status_kib("VmRSS:").unwrap_or(0);
        let t = Instant::now();
        let report = poller
            .run_once(tokio::time::Instant::now() + Duration::from_secs(900))
            .await;
        let ms = t.elapsed().as_millis();
        let peak = status_kib("VmHWM:").unwrap_or(0);
        assert_eq!(report.failed, 0, "run {runs}: {report:?}");
        posted += report.actions_posted;
        requests += report.trello_requests;
        if peak > worst.0 {
            worst = (peak, runs);
        }
        let last = report.backlogged == 0;
        if runs <= 3 || runs % 10 == 0 || last {
            println!(
                "{runs:>4} {:>8} {:>8} {:>8} {:>9.1} {:>9.1} {ms:>8}",
                report.actions_posted,
                report.trello_requests,
                report.messages,
                mib(before),
                mib(peak)
            );
        }
        if last {
            break;
        }
        assert!(runs <= count + 1, "the backlog is not draining: {report:?}");
    }
    let wall = started.elapsed();

    let r = received
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let missing = r.times.iter().filter(|t| **t == 0).count();
    let twice = r.times.iter().filter(|t| **t > 1).count();
    println!("runs to drain           {runs:>8}");
    println!(
        "actions posted          {posted:>8}  (missing {missing}, more than once {twice}, out of order {})",
        r.out_of_order
    );
    println!("Trello requests         {requests:>8}");
    println!("Slack messages          {:>8}", r.messages);
    println!(
        "wall time               {:>8.0} ms",
        wall.as_secs_f64() * 1000.0
    );
    println!(
        "largest per-run peak    {:>8.1} MiB  (run {}; VmHWM of the whole process: servers and store included)",
        mib(worst.0),
        worst.1
    );
    assert_eq!((posted, missing, twice, r.out_of_order), (count, 0, 0, 0));
}
