//! What every client of an outside service shares: reading `Retry-After`,
//! one backoff policy for retry loops, and a pacer that spaces requests
//! out. Tokio's clock is used, so tests can pause it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// The `Retry-After` a rate-limited answer gave, in seconds form (the one
/// Slack and the trackers send).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// What a retry loop does when a server asks for a longer wait than the
/// policy's `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLong {
    /// Give up, for a caller without the time (a Lambda answering Slack).
    GiveUp,
    /// Wait `max` and try again.
    WaitMax,
}

/// One backoff policy: the server's wait when it names one, else a wait
/// that starts at `first` and doubles, never above `max`; at most
/// `retries` retries.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub retries: u32,
    pub too_long: TooLong,
}

/// Why a retry loop stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Out of retries, or the server asked for more than the policy waits.
    GaveUp,
    /// The wait would end at or past the loop's deadline.
    Deadline,
}

impl Backoff {
    /// A retry loop under this policy, none of whose waits may end at or
    /// past `deadline`.
    pub fn start(self, deadline: Option<Instant>) -> Retries {
        Retries {
            policy: self,
            done: 0,
            deadline,
        }
    }
}

/// The state of one retry loop.
#[derive(Debug, Clone)]
pub struct Retries {
    policy: Backoff,
    done: u32,
    deadline: Option<Instant>,
}

impl Retries {
    /// The wait before the next try, given what the server asked for, or
    /// why the loop should stop instead.
    pub fn next(&mut self, asked: Option<Duration>) -> Result<Duration, Stop> {
        let Backoff {
            first,
            max,
            retries,
            too_long,
        } = self.policy;
        if self.done >= retries {
            return Err(Stop::GaveUp);
        }
        let wait = match asked {
            Some(asked) if asked > max && too_long == TooLong::GiveUp => {
                return Err(Stop::GaveUp);
            }
            Some(asked) => asked.min(max),
            // An overflowing doubling is past any sensible `max` anyway.
            None => 2u32
                .checked_pow(self.done)
                .and_then(|factor| first.checked_mul(factor))
                .map_or(max, |own| own.min(max)),
        };
        if self
            .deadline
            .is_some_and(|deadline| Instant::now() + wait >= deadline)
        {
            return Err(Stop::Deadline);
        }
        self.done += 1;
        Ok(wait)
    }
}

/// Hands out evenly spaced start times; each caller waits for its own.
#[derive(Debug)]
pub struct Pace {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Pace {
    /// Slots `interval` apart.
    pub fn every(interval: Duration) -> Self {
        Self {
            interval,
            next: Mutex::new(None),
        }
    }

    /// Slots at `rate` a second; a rate that is not a positive number is
    /// taken as one a second, so a bad setting cannot stop or flood a run.
    pub fn per_second(rate: f64) -> Self {
        let rate = if rate.is_finite() && rate > 0.0 {
            rate
        } else {
            1.0
        };
        Self::every(Duration::from_secs_f64(1.0 / rate))
    }

    /// Waits for this caller's slot.
    pub async fn wait(&self) {
        let slot = {
            let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// Holds every later slot back by `pause` (a server's `Retry-After`).
    pub fn hold(&self, pause: Duration) {
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let until = Instant::now() + pause;
        *next = Some(next.map_or(until, |n| n.max(until)));
    }
}

/// One [`Pace`] per key, made on first use.
#[derive(Debug)]
pub struct PerKey {
    rate: f64,
    paces: Mutex<HashMap<String, Arc<Pace>>>,
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
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key.to_owned())
            .or_insert_with(|| Arc::new(Pace::per_second(self.rate)))
            .clone();
        pace.wait().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    fn policy(too_long: TooLong) -> Backoff {
        Backoff {
            first: Duration::from_millis(500),
            max: 3 * SECOND,
            retries: 4,
            too_long,
        }
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = reqwest::header::HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(reqwest::header::RETRY_AFTER, " 7 ".parse().expect("header"));
        assert_eq!(retry_after(&headers), Some(7 * SECOND));
        let date = "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header");
        headers.insert(reqwest::header::RETRY_AFTER, date);
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn own_waits_double_up_to_max_and_retries_run_out() {
        let mut retries = policy(TooLong::WaitMax).start(None);
        let waits: Vec<_> = (0..5).map(|_| retries.next(None)).collect();
        let ms = Duration::from_millis;
        assert_eq!(
            waits,
            [
                Ok(ms(500)),
                Ok(ms(1000)),
                Ok(ms(2000)),
                Ok(ms(3000)),
                Err(Stop::GaveUp)
            ]
        );
    }

    #[test]
    fn a_server_wait_is_kept_capped_or_refused() {
        let mut capped = policy(TooLong::WaitMax).start(None);
        assert_eq!(capped.next(Some(2 * SECOND)), Ok(2 * SECOND));
        assert_eq!(capped.next(Some(120 * SECOND)), Ok(3 * SECOND));
        let mut strict = policy(TooLong::GiveUp).start(None);
        assert_eq!(strict.next(Some(3 * SECOND)), Ok(3 * SECOND));
        assert_eq!(strict.next(Some(120 * SECOND)), Err(Stop::GaveUp));
    }

    #[test]
    fn no_wait_may_end_past_the_deadline() {
        let deadline = Instant::now() + 2 * SECOND;
        let mut retries = policy(TooLong::WaitMax).start(Some(deadline));
        assert_eq!(retries.next(Some(SECOND)), Ok(SECOND));
        assert_eq!(retries.next(Some(2 * SECOND)), Err(Stop::Deadline));
    }

    #[test]
    fn endless_doubling_stays_at_max() {
        let mut retries = Backoff {
            retries: u32::MAX,
            ..policy(TooLong::WaitMax)
        }
        .start(None);
        let last = (0..100).map(|_| retries.next(None)).last();
        assert_eq!(last, Some(Ok(3 * SECOND)));
    }

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
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert_eq!(keys, 2);
    }
}
