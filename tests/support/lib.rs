//! Test support for Switchboard's end-to-end tests.
//!
//! `spawn_app()` starts the app `switchboard serve` runs (the dispatcher's,
//! unfurler's and bridge's routes, `/healthz`, the scanner and poller
//! schedules) inside the test process, on 127.0.0.1 with a free port and a
//! state file in a temp dir. Its `Client` signs requests as Slack does;
//! Slack, Jenkins and the trackers are wiremock stand-ins (this crate's
//! `slack`, `jira`, `trac` and `trello` modules build the common ones) and
//! jobs go to the core's `RecordingRunner`, which starts nothing.
//!
//! ```ignore
//! let app = switchboard_tests::spawn_app().await;
//! let (status, body) = app.command("help", "UANN", "C0GEN", &app.response_url()).await;
//! assert_eq!(status, 200);
//! assert!(switchboard_tests::reply(&body).1.contains("Usage:"));
//! ```
//!
//! Tests that need a real process (signals, CLI output, restarts, Socket
//! Mode from the environment, jobs run by the worker) live in
//! `crates/switchboard/tests/it` and share this crate's helpers.

pub mod app;
pub mod client;
pub mod config;
pub mod jira;
pub mod secrets;
pub mod slack;
pub mod state;
pub mod trac;
pub mod trello;

use std::time::Duration;

pub use app::{TestApp, spawn_app, spawn_app_with};
pub use client::{Client, reply};

/// Polls `check` until it returns `Some`, for at most `limit`.
pub async fn eventually<T>(
    limit: Duration,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> Option<T> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(v) = check().await {
            return Some(v);
        }
        if tokio::time::Instant::now() > deadline {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
