//! Benchmark: `link_shared` in, `chat.unfurl` sent, with the tracker (Trac
//! over JSON-RPC, recorded responses) answering after 50 ms. Prints p50 and
//! p99 for one link and for five links in one message.
//!
//! Run: `cargo run --release --example unfurl_bench [ROUNDS]`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use switchboard_core::config::Config;
use switchboard_core::fakes::MemoryStore;
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::services::Live;
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::verify::signed_headers;
use switchboard_trackers::Services;
use switchboard_unfurler::Unfurler;
use wiremock::matchers::{body_string_contains, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "bench-secret";
const TRACKER_DELAY: Duration = Duration::from_millis(50);

fn fixture(name: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../switchboard-trackers/tests/fixtures/trac")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let trac = MockServer::start().await;
    Mock::given(path("/rpc"))
        .and(body_string_contains("ticket.get"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(fixture("jsonrpc-ticket.get-1.json"))
                .set_delay(TRACKER_DELAY),
        )
        .mount(&trac)
        .await;
    let slack = MockServer::start().await;
    Mock::given(path("/chat.unfurl"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&slack)
        .await;

    let text = format!(
        "[slack]\napi_url = \"{}\"\n[unfurl]\nrepeat_minutes = 0\nmax_links = 5\nbudget_ms = 2000\n\
         [[trackers]]\nname = \"trac\"\nkind = \"trac\"\nurl = \"{}\"\n",
        slack.uri(),
        trac.uri()
    );
    let config = Config::parse(&text, "bench").expect("bench config");
    let secrets = Secrets {
        slack_signing_secret: Some(Secret::new(SECRET)),
        slack_bot_token: Some(Secret::new("xoxb-bench")),
        ..Secrets::default()
    };
    let http = switchboard_core::slack::api::http_client();
    let build_secrets = secrets.clone();
    let live = Live::new(LiveConfig::fixed(config), move |c: &Config| {
        Services::from_config(c, &http, &build_secrets)
    });
    let app = Arc::new(Unfurler::new(live, secrets, Arc::new(MemoryStore::new())))
        .edge()
        .into_router();

    println!(
        "link_shared → chat.unfurl, tracker answering in {} ms, {rounds} rounds each (ms):",
        TRACKER_DELAY.as_millis()
    );
    println!("{:<8} {:>8} {:>8} {:>8}", "links", "p50", "p99", "max");
    let mut event = 0;
    for links in [1usize, 5] {
        let mut times = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            event += 1;
            let urls: Vec<serde_json::Value> = (1..=links)
                .map(|n| serde_json::json!({"domain": "127.0.0.1", "url": format!("{}/ticket/{n}", trac.uri())}))
                .collect();
            let body = serde_json::json!({
                "type": "event_callback", "team_id": "T1", "event_id": format!("Ev{event}"),
                "event": {"type": "link_shared", "channel": "C1", "user": "U1",
                          "message_ts": "1.2", "links": urls}
            })
            .to_string();
            let headers = signed_headers(&Secret::new(SECRET), body.as_bytes());
            let started = Instant::now();
            let reply =
                switchboard_core::edge::dispatch(&app, "/slack/events", &headers, body.as_bytes())
                    .await;
            times.push(started.elapsed());
            assert_eq!(reply.status, 200, "{}", reply.body);
        }
        times.sort();
        println!(
            "{:<8} {:>8.1} {:>8.1} {:>8.1}",
            links,
            percentile(&times, 0.5),
            percentile(&times, 0.99),
            percentile(&times, 1.0)
        );
    }
    let sent = slack.received_requests().await.unwrap_or_default().len();
    assert_eq!(sent, rounds * 2, "every event produced one chat.unfurl");
}
