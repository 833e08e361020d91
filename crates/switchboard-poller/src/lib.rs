//! The Trello poller, shared by its Lambda, `switchboard poll` and
//! `switchboard serve`: every board action of a subscription reaches its
//! Slack channel exactly once.

pub mod action;
pub mod format;
mod ledger;
mod once;
mod poll;
pub mod trello;

pub use poll::{BATCH, Poller, Report, Tuning, WINDOW};

use std::time::Duration;

/// The instant a run must stop starting posts, from the Lambda's deadline
/// (epoch milliseconds), leaving `margin` for the post in flight and the
/// cursor write.
pub fn deadline_from_epoch_ms(deadline_ms: u64, margin: Duration) -> tokio::time::Instant {
    let now_ms = u64::try_from(switchboard_core::clock::now_millis()).unwrap_or(0);
    let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms)).saturating_sub(margin);
    tokio::time::Instant::now() + left
}

#[cfg(test)]
mod tests;
