//! Benchmark: one scan of N tickets (20 a page) from a fake Codebase that
//! answers each page in 50 ms, under a request-rate limit, with Slack faked
//! too. Prints wall time beside the floor the limit and the latency allow
//! (pages / rate, or pages × 50 ms / concurrency, whichever is longer), the
//! requests and messages, and the scanner process's peak memory (VmHWM).
//! The fakes run in a child process so they are not in that figure.
//!
//! Run: `cargo run --release --example scan_bench [TICKETS] [RATE]
//! [CONCURRENCY] [STALE_EVERY]` (defaults 10000, 50, 4, 10: one ticket in
//! ten is stale).

use std::io::{BufRead as _, BufReader};
use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard_core::config::Config;
use switchboard_core::fakes::MemoryStore;
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::services::{Live, Services as CoreServices};
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::{Chat, SlackWebApi};
use switchboard_scanner::{Options, Scanner};
use switchboard_trackers::{Services, TicketLister};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const PAGE_DELAY: Duration = Duration::from_millis(50);
const PER_PAGE: usize = 20;
const PEOPLE: usize = 50;

/// One page of Codebase JSON: one ticket in `stale_every` is stale, the
/// rest fresh.
fn page(n: usize, pages: usize, stale_every: usize) -> String {
    if n == 0 || n > pages {
        return String::new();
    }
    let tickets: Vec<serde_json::Value> = (0..PER_PAGE)
        .map(|i| {
            let id = (n - 1) * PER_PAGE + i + 1;
            let updated = if id.is_multiple_of(stale_every) {
                "2016-12-21T16:50:04Z"
            } else {
                "2099-01-01T00:00:00Z"
            };
            serde_json::json!({ "ticket": {
                "ticket_id": id,
                "summary": format!("Ticket {id}: something that needs doing"),
                "assignee": format!("user{}", (id / stale_every) % PEOPLE),
                "reporter": "reporter",
                "tags": "backend",
                "updated_at": updated,
                "status": { "name": "New", "treat-as-closed": false },
                "milestone": { "name": "Sprint 12" },
            }})
        })
        .collect();
    serde_json::Value::Array(tickets).to_string()
}

/// The child: serves the fakes and prints their base URLs.
async fn fakes(pages: usize, stale_every: usize) {
    let codebase = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    Mock::given(method("GET"))
        .and(path("/web/tickets.json"))
        .respond_with(move |req: &Request| {
            let n = req
                .url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            let body = page(n, pages, stale_every);
            if body.is_empty() {
                ResponseTemplate::new(404).set_delay(PAGE_DELAY)
            } else {
                ResponseTemplate::new(200)
                    .set_body_string(body)
                    .set_delay(PAGE_DELAY)
            }
        })
        .mount(&codebase)
        .await;
    let slack = MockServer::builder()
        .disable_request_recording()
        .start()
        .await;
    Mock::given(method("POST"))
        .and(path("/conversations.open"))
        .respond_with(|req: &Request| {
            // One DM channel per person, as Slack gives.
            let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap_or_default();
            let user = body["users"].as_str().unwrap_or("U0");
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({ "ok": true, "channel": { "id": format!("D{}", &user[1..]) } }),
            )
        })
        .mount(&slack)
        .await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "ok": true, "ts": "1.1" })),
        )
        .mount(&slack)
        .await;
    println!("{} {}", codebase.uri(), slack.uri());
    // Serve until the parent closes stdin.
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
}

fn vm_hwm_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Counts calls to the tracker, to report the requests made.
struct Counting {
    inner: Arc<dyn TicketLister>,
    calls: std::sync::atomic::AtomicUsize,
}

#[async_trait::async_trait]
impl TicketLister for Counting {
    async fn list_page(
        &self,
        project: &str,
        query: &str,
        page: u32,
    ) -> Result<Option<Vec<switchboard_trackers::ListedTicket>>, switchboard_trackers::TrackerError>
    {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.list_page(project, query, page).await
    }

    fn page_size(&self) -> usize {
        self.inner.page_size()
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--fakes") {
        let pages = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(500);
        let stale_every = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(10);
        fakes(pages, stale_every).await;
        return;
    }
    let tickets: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let rate: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50.0);
    let concurrency: usize = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(4);
    let stale_every: usize = args
        .get(4)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10)
        .max(1);
    let pages = tickets.div_ceil(PER_PAGE);

    let mut child = std::process::Command::new(std::env::current_exe().expect("exe"))
        .args(["--fakes", &pages.to_string(), &stale_every.to_string()])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the fakes");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("fake URLs");
    let mut urls = line.split_whitespace();
    let (codebase, slack) = (
        urls.next().expect("codebase").to_owned(),
        urls.next().expect("slack").to_owned(),
    );

    let users: String = (0..PEOPLE)
        .map(|i| format!("user{i} = \"U0USER{i:03}\"\n"))
        .collect();
    let config = Config::parse(
        &format!(
            r#"
[slack]
api_url = "{slack}"

[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"
api_url = "{codebase}"

[scanner]
requests_per_second = {rate}
concurrency = {concurrency}

[scanner.users]
{users}
[[scanner.projects]]
tracker = "cb"
project = "web"
"#
        ),
        "bench",
    )
    .expect("config");
    let http = switchboard_core::slack::api::http_client();
    let chat: Arc<dyn Chat> = Arc::new(SlackWebApi::new(
        http.clone(),
        &slack,
        Some(Secret::new("xoxb-bench")),
    ));
    let real = Services::from_config(&config, &http, &Secrets::default());
    let counting = Arc::new(Counting {
        inner: real.lister("cb").expect("lister"),
        calls: std::sync::atomic::AtomicUsize::new(0),
    });
    let for_scanner = counting.clone();
    let live = Live::new(LiveConfig::fixed(config), move |_| {
        Services::new(CoreServices::new(chat.clone())).with_lister("cb", for_scanner.clone())
    });
    let scanner = Scanner::new(live, Arc::new(MemoryStore::new()));
    let before = vm_hwm_kib();
    let start = Instant::now();
    let report = scanner.run(&Options::default()).await.expect("scan");
    let wall = start.elapsed().as_secs_f64();
    let peak = vm_hwm_kib();
    drop(child.stdin.take());
    let _ = child.wait();

    // The last page ends the scan; with `concurrency` in flight a few more
    // may already have been asked for.
    let floor =
        (pages as f64 / rate).max(pages as f64 * PAGE_DELAY.as_secs_f64() / concurrency as f64);
    println!(
        "tickets {tickets} ({pages} pages of {PER_PAGE}, 1 in {stale_every} stale), rate {rate}/s, concurrency {concurrency}, page latency {} ms",
        PAGE_DELAY.as_millis()
    );
    println!(
        "wall {wall:.2} s, floor {floor:.2} s, ratio {:.3}",
        wall / floor
    );
    println!(
        "tracker requests {}, tickets read {}, findings {}, digests {} ({} tickets), complete {}",
        counting.calls.load(std::sync::atomic::Ordering::Relaxed),
        report.tickets,
        report.findings,
        report.digests,
        report.tickets_sent,
        report.complete
    );
    println!(
        "peak memory (VmHWM) {:.1} MiB (before the scan {:.1} MiB)",
        peak as f64 / 1024.0,
        before as f64 / 1024.0
    );
}
