//! The Trello poller, shared by its Lambda, `switchboard poll` and
//! `switchboard serve`: every board action of a subscription reaches its
//! Slack channel exactly once.

pub mod action;
pub mod format;
mod ledger;
mod once;
mod poll;
pub mod trello;

pub use poll::{BATCH, Clients, Poller, Report, Tuning, WINDOW};

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
mod tests {
    use super::*;

    #[test]
    fn the_deadline_leaves_a_margin_and_never_lies_in_the_past() {
        let now_ms = u64::try_from(switchboard_core::clock::now_millis()).expect("clock");
        let start = tokio::time::Instant::now();
        let d = deadline_from_epoch_ms(now_ms + 60_000, Duration::from_secs(20));
        let left = d - start;
        // The two clocks are read a moment apart, so allow a second.
        assert!(
            left > Duration::from_secs(39) && left < Duration::from_secs(41),
            "{left:?}"
        );
        let gone = deadline_from_epoch_ms(now_ms.saturating_sub(5_000), Duration::from_secs(20));
        assert!(gone >= start && gone - start < Duration::from_secs(1));
    }
}
