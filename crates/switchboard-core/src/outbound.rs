//! What every client of an outside service shares: reading `Retry-After`,
//! one backoff policy for retry loops, and a pacer that spaces requests
//! out. Tokio's clock is used, so tests can pause it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
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

/// The process's one HTTP client, built on first use and shared by every
/// clone. Building it reads and parses the system's CA certificates, which
/// a command answered inline (`help`, `jobs`) never needs, so a cold start
/// that makes no outside call skips that work and those pages.
#[derive(Clone, Default)]
pub struct Http(Arc<OnceLock<reqwest::Client>>);

impl Http {
    /// A client that is built when first asked for.
    pub fn lazy() -> Self {
        Self::default()
    }

    /// The client, built now if this is the first ask.
    pub fn client(&self) -> &reqwest::Client {
        self.0.get_or_init(crate::slack::api::http_client)
    }

    /// Whether the client has been built yet; tests ask, production never
    /// needs to.
    #[cfg(any(test, feature = "testing"))]
    pub fn is_built(&self) -> bool {
        self.0.get().is_some()
    }
}

/// An already-built client, as tests and callers with their own settings
/// hand one in.
impl From<reqwest::Client> for Http {
    fn from(client: reqwest::Client) -> Self {
        Self(Arc::new(OnceLock::from(client)))
    }
}

#[cfg(test)]
mod tests;
