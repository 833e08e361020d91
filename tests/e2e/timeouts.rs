//! `serve`'s accept loop against slow and idle clients: a slow-loris
//! header, a trickled body and an idle kept-alive connection are all closed
//! by the timeouts, and idle connections beyond the limit cannot starve the
//! others.

use std::time::{Duration, Instant};

use switchboard::serve::MAX_CONNECTIONS;
use switchboard_tests::{TestApp, spawn_app_with};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

/// `serve`'s header (and idle) and body timeouts are 10 s each.
const TIMEOUT: Duration = Duration::from_secs(10);

async fn served() -> TestApp {
    spawn_app_with("[state]\npath = \"state.jsonl\"\n").await
}

async fn connect(served: &TestApp) -> TcpStream {
    let addr = served
        .base
        .strip_prefix("http://")
        .expect("the app's base URL");
    TcpStream::connect(addr).await.expect("connect to the app")
}

/// Reads until the server closes the connection; what it sent, and when.
async fn until_closed(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let read = tokio::time::timeout(TIMEOUT + Duration::from_secs(10), async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the app kept the connection open");
    (
        String::from_utf8_lossy(&got).into_owned(),
        started.elapsed(),
    )
}

#[tokio::test]
async fn a_slow_loris_header_is_cut_off() {
    let served = served().await;
    let mut stream = connect(&served).await;
    stream
        .write_all(b"POST /slack/commands HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .expect("write");
    let (_, after) = until_closed(&mut stream).await;
    assert!(after >= TIMEOUT - Duration::from_secs(1), "{after:?}");
}

#[tokio::test]
async fn a_trickled_body_is_answered_408() {
    let served = served().await;
    let mut stream = connect(&served).await;
    stream
        .write_all(
            b"POST /slack/commands HTTP/1.1\r\nHost: x\r\n\
              Content-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\ntext=",
        )
        .await
        .expect("write");
    let (reply, after) = until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 408"), "{reply}");
    assert!(after >= TIMEOUT - Duration::from_secs(1), "{after:?}");
}

#[tokio::test]
async fn an_idle_kept_alive_connection_is_closed() {
    let served = served().await;
    let mut stream = connect(&served).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let (reply, after) = until_closed(&mut stream).await;
    assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
    assert!(after >= TIMEOUT - Duration::from_secs(1), "{after:?}");
}

#[tokio::test]
async fn idle_connections_beyond_the_limit_wait_and_the_rest_are_served() {
    let served = served().await;
    let health = format!("{}/healthz", served.base);
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let mut idle = Vec::new();
    for _ in 0..MAX_CONNECTIONS {
        idle.push(connect(&served).await);
    }
    // Give the app time to take every slot.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        quick.get(&health).send().await.is_err(),
        "a connection past the limit was served at once"
    );
    drop(idle);
    let ok = quick
        .get(&health)
        .send()
        .await
        .expect("served once slots free");
    assert_eq!(ok.status().as_u16(), 200);
}
