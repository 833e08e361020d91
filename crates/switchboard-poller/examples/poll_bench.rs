//! Benchmark: a 5,000-action backlog on one board drained in one run, with
//! Trello's REST API and Slack's Web API served by wiremock over HTTP and
//! the real clients on both sides. Prints wall time, requests, messages
//! and peak memory, once on the memory store and once on the embedded
//! file store.
//!
//! Run: `cargo run --release --example poll_bench [ACTIONS]`.

use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::{Duration, Instant};

use switchboard_core::secrets::Secret;
use switchboard_core::slack::SlackWebApi;
use switchboard_core::state::{FileStore, MemoryStore, StateStore};
use switchboard_poller::trello::TrelloActions;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[allow(dead_code)]
#[path = "../tests/it/support.rs"]
mod support;

/// Peak resident memory of this process so far (KiB), from /proc.
fn vm_hwm_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

async fn drain(label: &str, store: Arc<dyn StateStore>, count: usize) {
    let board = support::Board::with(count);
    let trello = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/1/boards/{}/actions", support::BOARD)))
        .respond_with(support::TrelloHttp {
            board,
            rate_limited: AtomicUsize::new(0),
        })
        .mount(&trello)
        .await;
    let slack = MockServer::start().await;
    let ts = AtomicUsize::new(0);
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(move |_: &wiremock::Request| {
            let n = ts.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({ "ok": true, "ts": format!("1714800000.{n:06}") }),
            )
        })
        .mount(&slack)
        .await;
    support::seed_cursor(store.as_ref()).await;

    let http = switchboard_core::slack::api::http_client();
    let chat = Arc::new(SlackWebApi::new(
        http.clone(),
        &slack.uri(),
        Some(Secret::new("xoxb-bench")),
    ));
    let source = Arc::new(TrelloActions::new(
        http,
        &trello.uri(),
        Secret::new("bench-key"),
        Secret::new("bench-token"),
    ));
    // No pause between posts: this measures Switchboard's own work; the
    // paced time is the message count at one a second.
    let poller = support::poller(
        support::config(20, 0, ""),
        store,
        chat,
        source,
        switchboard_poller::Tuning::default(),
    );
    let before = vm_hwm_kib();
    let started = Instant::now();
    let report = poller
        .run_once(tokio::time::Instant::now() + Duration::from_secs(900))
        .await;
    let wall = started.elapsed();
    let after = vm_hwm_kib();

    let trello_requests = trello.received_requests().await.unwrap_or_default().len();
    let slack_requests = slack.received_requests().await.unwrap_or_default().len();
    assert_eq!(
        report.actions_posted, count,
        "every action was posted: {report:?}"
    );
    println!("{label}:");
    println!(
        "  wall time              {:>8.0} ms",
        wall.as_secs_f64() * 1000.0
    );
    println!("  Trello requests        {trello_requests:>8}");
    println!("  Slack requests         {slack_requests:>8}");
    println!(
        "  messages posted        {:>8}  (1 summary + {} thread replies of up to {})",
        report.messages,
        report.messages.saturating_sub(1),
        switchboard_poller::BATCH
    );
    println!("  actions posted         {:>8}", report.actions_posted);
    println!(
        "  at 1 message/s         {:>8} s  (Slack's pace per channel)",
        report.messages
    );
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "  peak memory (VmHWM)    {:>8.1} MiB  (before the run {:.1} MiB, fakes included)",
            a as f64 / 1024.0,
            b as f64 / 1024.0
        );
    }
}

#[tokio::main]
async fn main() {
    let count: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5_000);
    println!(
        "a {count}-action backlog drained in one run (Trello and Slack over HTTP on loopback)"
    );
    drain("memory store", Arc::new(MemoryStore::new()), count).await;
    let dir = std::env::temp_dir().join(format!("poll-bench-{}", std::process::id()));
    let file = FileStore::open(&dir.join("state.jsonl")).expect("state file");
    drain(
        "file store (serve's, one fsync per write)",
        Arc::new(file),
        count,
    )
    .await;
    let _ = std::fs::remove_dir_all(&dir);
}
