//! A slash command's round trip through `switchboard serve`, over Socket
//! Mode (envelope in, ack with the reply out) beside HTTP (signed POST in,
//! reply out), both on loopback against the same running process.
//!
//! Starts `serve` (the binary given) in a temp dir with the example config
//! and `SLACK_APP_TOKEN`, answers its `apps.connections.open` from a local
//! fake, accepts its WebSocket, then times `help` one request at a time.
//!
//! Usage: `socket_bench PATH/TO/switchboard [RUNS]` (default 2000, after
//! 100 untimed warm-up calls each).

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use futures_util::{SinkExt as _, StreamExt as _};
use switchboard_core::secrets::Secret;
use switchboard_core::slack::verify::signed_headers;
use tokio_tungstenite::tungstenite::Message;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "bench-signing-secret";
const WARMUP: usize = 100;
const FORM: &str = "team_id=T0001&user_id=U0LOCALDEV&channel_id=C0LOCALDEV&command=%2Fexample\
     &text=help&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fx";

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let bin = args
        .next()
        .context("usage: socket_bench SWITCHBOARD_BIN [RUNS]")?;
    let runs: usize = match args.next() {
        Some(n) => n.parse().context("RUNS must be a positive number")?,
        None => 2000,
    };
    ensure!(runs > 0, "RUNS must be a positive number");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let ws_addr = listener.local_addr()?;
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/apps.connections.open"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "ok": true, "url": format!("ws://{ws_addr}/link?ticket=bench")
        })))
        .mount(&slack)
        .await;

    let dir = tempfile::tempdir()?;
    let example = include_str!("../../../switchboard.example.toml");
    let config = dir.path().join("switchboard.toml");
    // The example config with Slack pointed at the fake.
    std::fs::write(
        &config,
        example.replacen(
            "api_url = \"https://slack.com/api\"",
            &format!("api_url = \"{}\"", slack.uri()),
            1,
        ),
    )?;
    let mut child = Command::new(&bin)
        .args(["serve", "--addr", "127.0.0.1:0", "--config"])
        .arg(&config)
        .current_dir(dir.path())
        .env("SLACK_SIGNING_SECRET", SECRET)
        .env("SLACK_APP_TOKEN", "xapp-bench")
        .env("SLACK_BOT_TOKEN", "xoxb-bench")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .with_context(|| format!("starting {bin}"))?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("stdout")?).read_line(&mut line)?;
    let base = line
        .trim()
        .strip_prefix("switchboard listening on ")
        .with_context(|| format!("unexpected first line {line:?}"))?
        .to_owned();
    let result = measure(&listener, &base, runs).await;
    let _ = child.kill();
    let _ = child.wait();
    result
}

async fn measure(
    listener: &tokio::net::TcpListener,
    base: &str,
    runs: usize,
) -> anyhow::Result<()> {
    let (tcp, _) = tokio::time::timeout(Duration::from_secs(10), listener.accept())
        .await
        .context("serve did not connect over Socket Mode")??;
    let mut ws = tokio_tungstenite::accept_async(tcp).await?;
    ws.send(Message::text(r#"{"type":"hello","num_connections":1}"#))
        .await?;
    let payload: serde_json::Value = serde_urlencoded::from_str::<Vec<(String, String)>>(FORM)?
        .into_iter()
        .map(|(k, v)| (k, serde_json::Value::String(v)))
        .collect::<serde_json::Map<_, _>>()
        .into();

    let mut socket = Vec::with_capacity(runs);
    for i in 0..WARMUP + runs {
        let id = format!("bench-{i}");
        let envelope = serde_json::json!({
            "type": "slash_commands", "envelope_id": id,
            "accepts_response_payload": true, "payload": payload
        });
        let start = Instant::now();
        ws.send(Message::text(envelope.to_string())).await?;
        let ack = loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    let v: serde_json::Value = serde_json::from_str(t.as_str())?;
                    if v["envelope_id"] == id.as_str() {
                        break v;
                    }
                }
                Some(Ok(_)) => {}
                other => anyhow::bail!("the socket ended: {other:?}"),
            }
        };
        let took = start.elapsed();
        ensure!(
            ack["payload"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("Usage: /example")),
            "the ack carried no help: {ack}"
        );
        if i >= WARMUP {
            socket.push(took);
        }
    }

    let client = reqwest::Client::new();
    let mut http = Vec::with_capacity(runs);
    for i in 0..WARMUP + runs {
        let headers = signed_headers(&Secret::new(SECRET), FORM.as_bytes());
        let start = Instant::now();
        let resp = client
            .post(format!("{base}/slack/commands"))
            .headers(headers)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(FORM)
            .send()
            .await?;
        let body = resp.text().await?;
        let took = start.elapsed();
        ensure!(body.contains("Usage: /example"), "HTTP answered {body}");
        if i >= WARMUP {
            http.push(took);
        }
    }

    println!("`help` round trip through serve, {runs} calls each after {WARMUP} warm-up (µs):");
    println!("{:<28} {:>8} {:>8} {:>8}", "path", "p50", "p99", "max");
    for (name, mut times) in [
        ("socket mode envelope → ack", socket),
        ("HTTP POST /slack/commands", http),
    ] {
        times.sort_unstable();
        println!(
            "{name:<28} {:>8} {:>8} {:>8}",
            micros(percentile(&times, 50)),
            micros(percentile(&times, 99)),
            micros(percentile(&times, 100)),
        );
    }
    Ok(())
}

/// Nearest-rank percentile of sorted, non-empty samples.
fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted[rank.min(sorted.len()) - 1]
}

fn micros(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1e6)
}
