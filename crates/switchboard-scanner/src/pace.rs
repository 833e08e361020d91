//! Spacing requests out: a fixed rate per tracker, about one message per
//! second per Slack channel. Tokio's clock is used, so tests can pause it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Hands out evenly spaced start times; each caller waits for its own.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pace {
    pub fn per_second(rate: f64) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        Self {
            interval: Duration::from_secs_f64(1.0 / rate),
            next: Mutex::new(None),
        }
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Holds every later slot back by `pause` (a server's `Retry-After`).
    pub fn hold(&self, pause: Duration) {
        let mut next = self
            .next
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let until = Instant::now() + pause;
        *next = Some(next.map_or(until, |n| n.max(until)));
    }
}

/// One [`Pace`] per key, made on first use.
#[derive(Debug)]
pub struct PerKey {
    rate: f64,
    paces: Mutex<HashMap<String, std::sync::Arc<Pace>>>,
}

impl PerKey {
    pub fn per_second(rate: f64) -> Self {
        Self {
            rate,
            paces: Mutex::new(HashMap::new()),
        }
    }

    pub async fn wait(&self, key: &str) {
        let pace = self
            .paces
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entry(key.to_owned())
            .or_insert_with(|| std::sync::Arc::new(Pace::per_second(self.rate)))
            .clone();
        pace.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Real time, checked from below only: a slow machine can only add time.

    #[tokio::test]
    async fn slots_are_evenly_spaced() {
        let pace = Pace::per_second(50.0);
        let start = Instant::now();
        for _ in 0..11 {
            pace.wait().await;
        }
        // Eleven slots at 50/s: the first now, the last 200 ms later.
        assert!(start.elapsed() >= Duration::from_millis(200));
    }

    #[tokio::test]
    async fn a_hold_pushes_later_slots_back() {
        let pace = Pace::per_second(1000.0);
        pace.wait().await;
        let start = Instant::now();
        pace.hold(Duration::from_millis(150));
        pace.wait().await;
        assert!(start.elapsed() >= Duration::from_millis(150));
    }

    #[tokio::test]
    async fn keys_are_paced_apart() {
        let paces = PerKey::per_second(2.0);
        // The first slot of "a" is no earlier than `start`, so its second
        // is no earlier than `start` + 500 ms.
        let start = Instant::now();
        paces.wait("a").await;
        paces.wait("b").await;
        paces.wait("a").await;
        assert!(
            start.elapsed() >= Duration::from_millis(500),
            "the same channel waits"
        );
        // Another channel has its own pace, so "b" took no slot from "a".
        let keys = paces
            .paces
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .len();
        assert_eq!(keys, 2);
    }
}
