use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use switchboard_core::config::Config;
use switchboard_core::fakes::{MemoryStore, RecordingChat};
use switchboard_core::services::Services as CoreServices;
use switchboard_core::settings::LiveConfig;

use super::*;
use crate::digest::MAX_PER_DIGEST;
use crate::read::{Cursor, cursor_key};
use switchboard_trackers::{ListedTicket, TicketLister, TrackerError};

/// The ledger's entries expire by the real clock, so runs judge at it.
fn now() -> i64 {
    switchboard_core::clock::now_secs()
}

/// A tracker of `pages` full pages of stale tickets, all alice's, that
/// can be told to throttle or fail its first answers, or to repeat its
/// last page forever.
struct FakeLister {
    pages: u32,
    repeat_last: bool,
    per_page: usize,
    throttle_first: AtomicUsize,
    fail_pages_from: Option<u32>,
    delay: Duration,
    calls: Mutex<Vec<u32>>,
}

impl FakeLister {
    fn new(pages: u32) -> Self {
        Self {
            pages,
            repeat_last: false,
            per_page: 20,
            throttle_first: AtomicUsize::new(0),
            fail_pages_from: None,
            delay: Duration::ZERO,
            calls: Mutex::new(Vec::new()),
        }
    }

    fn calls(&self) -> Vec<u32> {
        self.calls.lock().expect("calls").clone()
    }
}

#[async_trait]
impl TicketLister for FakeLister {
    async fn list_page(
        &self,
        _project: &str,
        _query: &str,
        page: u32,
    ) -> Result<Option<Vec<ListedTicket>>, TrackerError> {
        self.calls.lock().expect("calls").push(page);
        tokio::time::sleep(self.delay).await;
        if self
            .throttle_first
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(TrackerError::Throttled(Some(Duration::from_millis(20))));
        }
        if self.fail_pages_from.is_some_and(|f| page >= f) {
            return Err(TrackerError::Unauthorized(401));
        }
        if page > self.pages && !self.repeat_last {
            return Ok(None);
        }
        let page = page.min(self.pages);
        Ok(Some(
            (0..self.per_page)
                .map(|i| {
                    let id = (page as usize - 1) * self.per_page + i + 1;
                    ListedTicket {
                        key: id.to_string(),
                        display_id: format!("#{id}"),
                        url: format!("https://t.example/{id}"),
                        summary: format!("ticket {id}"),
                        status: "New".into(),
                        assignee: Some("alice".into()),
                        updated_at: Some(now() - 100 * 86_400),
                        ..ListedTicket::default()
                    }
                })
                .collect(),
        ))
    }

    fn page_size(&self) -> usize {
        self.per_page
    }
}

fn config() -> Config {
    Config::parse(
        r#"
[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"

[scanner]
requests_per_second = 1000
concurrency = 3

[scanner.users]
alice = "U0ALICE"

[[scanner.projects]]
tracker = "cb"
project = "web"
"#,
        "test",
    )
    .expect("config")
}

fn scanner(lister: Arc<FakeLister>, chat: Arc<RecordingChat>, store: Arc<MemoryStore>) -> Scanner {
    let live = Live::new(LiveConfig::fixed(config()), move |_| {
        Services::new(CoreServices::new(chat.clone())).with_lister("cb", lister.clone())
    });
    Scanner::new(live, store)
}

fn at_now() -> Options {
    Options {
        now: Some(now()),
        ..Options::default()
    }
}

#[tokio::test]
async fn reads_every_page_and_retries_a_throttled_one() {
    let lister = Arc::new(FakeLister::new(5));
    lister.throttle_first.store(2, Ordering::SeqCst);
    let chat = Arc::new(RecordingChat::default());
    let store = Arc::new(MemoryStore::new());
    let s = scanner(lister.clone(), chat.clone(), store);
    let report = s.run(&at_now()).await.expect("run");
    assert_eq!(report.tickets, 100);
    assert_eq!(report.findings, 100);
    assert!(report.complete, "{report:?}");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // One digest to alice, capped, saying how many wait.
    let sent = chat.messages();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, "D0ALICE");
    assert!(sent[0].1.blocks_json().to_string().contains("80 more"));
    assert_eq!(report.tickets_sent, MAX_PER_DIGEST);
}

#[tokio::test]
async fn a_run_out_of_time_resumes_where_it_stopped_and_starves_nothing() {
    let lister = Arc::new(FakeLister {
        delay: Duration::from_millis(50),
        ..FakeLister::new(10)
    });
    let chat = Arc::new(RecordingChat::default());
    let store = Arc::new(MemoryStore::new());
    let s = scanner(lister.clone(), chat, store.clone());
    // Time for a few pages only.
    let short = Options {
        stop_reading_at: Some(Instant::now() + Duration::from_millis(100)),
        ..at_now()
    };
    let first = s.run(&short).await.expect("run");
    assert!(!first.complete);
    // Three pages in flight at a time, 50 ms each: page 10 cannot start
    // before 150 ms, however slow the machine.
    assert!(first.pages < 10, "{first:?}");
    let cursor: Cursor = serde_json::from_str(
        &store
            .get(&cursor_key())
            .await
            .expect("store")
            .expect("cursor")
            .value,
    )
    .expect("cursor json");
    assert_eq!(cursor.page as usize, first.pages + 1);

    lister.calls.lock().expect("calls").clear();
    let second = s.run(&at_now()).await.expect("run");
    assert!(second.complete);
    let calls = lister.calls();
    // The second run starts at the cursor, then wraps to the pages before it.
    assert_eq!(calls[0], cursor.page, "{calls:?}");
    assert_eq!(first.pages + second.pages, 10 + first.pages, "{calls:?}");
    assert!(calls.contains(&1), "the wrap reads page 1 too: {calls:?}");
}

#[tokio::test]
async fn a_tracker_that_repeats_its_last_page_does_not_loop() {
    let lister = Arc::new(FakeLister {
        repeat_last: true,
        ..FakeLister::new(2)
    });
    let chat = Arc::new(RecordingChat::default());
    let store = Arc::new(MemoryStore::new());
    let report = scanner(lister, chat, store)
        .run(&at_now())
        .await
        .expect("run");
    assert_eq!(report.tickets, 40);
    assert_eq!(report.pages, 3, "pages 1 and 2, then page 3 repeats page 2");
    assert_eq!(report.findings, 40);
    assert!(report.complete);
}

#[tokio::test]
async fn a_failing_project_is_reported_and_the_run_goes_on() {
    let lister = Arc::new(FakeLister {
        fail_pages_from: Some(2),
        ..FakeLister::new(5)
    });
    let chat = Arc::new(RecordingChat::default());
    let store = Arc::new(MemoryStore::new());
    let report = scanner(lister, chat.clone(), store)
        .run(&at_now())
        .await
        .expect("run");
    assert_eq!(report.tickets, 20);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(report.problems[0].contains("cb/web"));
    assert_eq!(chat.messages().len(), 1, "what was read is still sent");
}

#[tokio::test]
async fn overlapping_runs_send_each_ticket_once() {
    let lister = Arc::new(FakeLister::new(1));
    let chat = Arc::new(RecordingChat::default());
    let store = Arc::new(MemoryStore::new());
    let s = Arc::new(scanner(lister, chat.clone(), store));
    let runs: Vec<_> = (0..4)
        .map(|_| {
            let s = s.clone();
            tokio::spawn(async move { s.run(&at_now()).await.expect("run") })
        })
        .collect();
    let mut total = 0;
    for r in runs {
        total += r.await.expect("join").tickets_sent;
    }
    assert_eq!(total, 20, "every ticket once across the runs");
    let in_digests: usize = chat
        .messages()
        .iter()
        .map(|(_, m)| {
            m.blocks_json()
                .as_array()
                .map_or(0, |b| b.iter().filter(|b| b["type"] == "actions").count())
        })
        .sum();
    assert_eq!(in_digests, 20);
}

#[tokio::test]
async fn a_failed_digest_is_sent_again_next_run() {
    let lister = Arc::new(FakeLister::new(1));
    let store = Arc::new(MemoryStore::new());
    let failing = lister.clone();
    let live = Live::new(LiveConfig::fixed(config()), move |_| {
        let chat = RecordingChat::default().fail_next("chat.postMessage", usize::MAX);
        Services::new(CoreServices::new(Arc::new(chat))).with_lister("cb", failing.clone())
    });
    let down = Scanner::new(live, store.clone());
    let report = down.run(&at_now()).await.expect("run");
    assert_eq!(report.digests, 0);
    assert_eq!(report.problems.len(), 1);
    let chat = Arc::new(RecordingChat::default());
    let report = scanner(lister, chat.clone(), store)
        .run(&at_now())
        .await
        .expect("run");
    assert_eq!(report.tickets_sent, 20, "nothing was lost to the failure");
}
