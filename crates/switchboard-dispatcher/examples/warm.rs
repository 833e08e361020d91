//! Warm, in-process timing of the dispatcher's slash-command handler: what
//! one request costs once the Lambda is up, without the runtime's HTTP hop.
//!
//! Builds a `Dispatcher` over the in-memory fakes and the example config,
//! then times its router (the whole edge: signature, content type,
//! handler) on freshly signed `help` and `jobs` commands
//! and prints p50/p99/max in microseconds. No tracing subscriber is
//! installed, so writing the per-request log line is not counted.
//!
//! Usage: `warm [RUNS]` (default 5000, after 200 untimed warm-up calls).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use http::HeaderValue;
use switchboard_core::config::Config;
use switchboard_core::fakes::{MemoryStore, RecordingRunner};
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::verify::signed_headers;
use switchboard_dispatcher::Dispatcher;

const CONFIG: &str = include_str!("../../../switchboard.example.toml");
const SECRET: &str = "bench-signing-secret";
const WARMUP: usize = 200;
const DEFAULT_RUNS: usize = 5000;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let runs = match std::env::args().nth(1) {
        Some(n) => n.parse().context("RUNS must be a positive number")?,
        None => DEFAULT_RUNS,
    };
    ensure!(runs > 0, "RUNS must be a positive number");

    let config = Config::parse(CONFIG, "switchboard.example.toml")?;
    let secrets = Secrets {
        slack_signing_secret: Some(Secret::new(SECRET)),
        ..Secrets::default()
    };
    let app = Arc::new(Dispatcher::new(
        LiveConfig::fixed(config),
        secrets,
        Arc::new(MemoryStore::default()),
        Arc::new(RecordingRunner::default()),
        reqwest::Client::new().into(),
    ))
    .edge()
    .into_router();

    println!("warm /slack/commands, {runs} calls each after {WARMUP} warm-up calls (µs):");
    println!("{:<8} {:>8} {:>8} {:>8}", "command", "p50", "p99", "max");
    for (text, expect) in [("help", "Usage: /example"), ("jobs", "No jobs yet.")] {
        let mut times = Vec::with_capacity(runs);
        for i in 0..WARMUP + runs {
            let took = time_one(&app, text, expect).await?;
            if i >= WARMUP {
                times.push(took);
            }
        }
        times.sort_unstable();
        println!(
            "{text:<8} {:>8} {:>8} {:>8}",
            micros(percentile(&times, 50)),
            micros(percentile(&times, 99)),
            micros(percentile(&times, 100)),
        );
    }
    Ok(())
}

/// Signs a fresh request (untimed), then times one call through the router and
/// checks the reply, so a broken handler cannot report a fast time.
async fn time_one(
    app: &switchboard_core::edge::Router,
    text: &str,
    expect: &str,
) -> anyhow::Result<Duration> {
    let body = format!(
        "team_id=T0001&user_id=U0LOCALDEV&channel_id=C0LOCALDEV&command=%2Fexample\
         &text={text}&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fx"
    );
    let mut headers = signed_headers(&Secret::new(SECRET), body.as_bytes());
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );

    let start = Instant::now();
    let reply =
        switchboard_core::edge::dispatch(app, "/slack/commands", &headers, body.as_bytes()).await;
    let took = start.elapsed();

    ensure!(
        reply.status == 200 && reply.body.contains(expect),
        "`{text}` answered {} {:?}; expected 200 containing {expect:?}",
        reply.status,
        reply.body
    );
    Ok(took)
}

/// Nearest-rank percentile of sorted, non-empty samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn micros(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}
