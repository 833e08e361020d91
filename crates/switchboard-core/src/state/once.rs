//! Idempotency records: the one primitive behind every "once" promise
//! (a Slack event, a webhook delivery, a repeat window, a scanner run).
//!
//! A record holds an owner token, a phase (in progress or done) and an
//! expiry. The token makes a lost answer harmless: when a conditional
//! write fails, or its answer never comes, the record is read back, and a
//! stored token equal to ours means our write was applied (an SDK retry of
//! our own request lost to ourselves). An in-progress record expires soon
//! after the function's own deadline, so a run killed mid-way frees its
//! work for the next delivery; a done record lasts the dedupe window.

use serde::{Deserialize, Serialize};

use super::{Condition, Item, Key, StateStore, StoreError};
use crate::clock::now_secs;

/// The longest any function runs: the template's `Globals.Function.Timeout`.
/// A test reads the template, so the two cannot drift apart.
pub const FUNCTION_TIMEOUT_SECS: i64 = 10;

/// How long an in-progress record outlives its run's deadline, covering
/// clock skew between the function and the store.
pub const IN_PROGRESS_MARGIN_SECS: i64 = 5;

/// When an in-progress record taken now stops holding its work: after the
/// longest a run can live, so only a dead run's work is ever taken over.
pub fn in_progress_until(now: i64) -> i64 {
    now + FUNCTION_TIMEOUT_SECS + IN_PROGRESS_MARGIN_SECS
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    InProgress,
    Done,
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    owner: String,
    phase: Phase,
}

impl Record {
    /// Values written before records existed (a bare timestamp) are read as
    /// someone else's finished claim, which is what they were.
    fn read(value: &str) -> Self {
        serde_json::from_str(value).unwrap_or(Self {
            owner: String::new(),
            phase: Phase::Done,
        })
    }

    fn value(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The outcome of [`begin`].
#[derive(Debug)]
pub enum Begun {
    /// The work is ours; finish or release the claim.
    Won(Claim),
    /// A live run holds it; it will finish or its record will expire.
    InProgress,
    /// It was done inside the window.
    Done,
}

/// A won claim. Dropping it leaves the record to expire on its own.
#[derive(Debug)]
pub struct Claim {
    key: Key,
    value: String,
    owner: String,
}

/// A fresh owner token: random, so no two writers share one.
pub fn new_owner() -> String {
    crate::ids::JobId::new_random().as_str().to_owned()
}

/// Writes `item` under `condition`; when the write fails or its answer is
/// lost, reads the item back and counts it as written if the stored value
/// is exactly ours. Sound only for values no other writer can produce (they
/// carry an owner token).
pub async fn put_confirmed(
    store: &dyn StateStore,
    item: Item,
    condition: Condition,
) -> Result<(), StoreError> {
    put_or_read_back(store, item, condition)
        .await
        .map_err(|(failure, _)| failure)
}

/// [`put_confirmed`], also handing back what the read-back found when the
/// write was not ours, so a caller need not read the item a second time.
async fn put_or_read_back(
    store: &dyn StateStore,
    item: Item,
    condition: Condition,
) -> Result<(), (StoreError, Result<Option<Item>, StoreError>)> {
    let key = item.key.clone();
    let value = item.value.clone();
    let failure = match store.put(item, condition).await {
        Ok(()) => return Ok(()),
        Err(e) => e,
    };
    match store.get(&key).await {
        Ok(Some(stored)) if stored.value == value => {
            tracing::info!(pk = %key.pk, "a conditional write's answer was lost, but it was applied");
            Ok(())
        }
        // The read-back settles nothing: the first failure stands.
        read => Err((failure, read)),
    }
}

/// Claims `key` for work that is about to start, until `until` (see
/// [`in_progress_until`]).
pub async fn begin(store: &dyn StateStore, key: Key, until: i64) -> Result<Begun, StoreError> {
    begin_as(store, key, &new_owner(), Phase::InProgress, until).await
}

/// Claims `key` as done right away, until `until`: for windows that need no
/// second step (a link shown once per channel for an hour). `true` for the
/// one caller that wins.
pub async fn claim(store: &dyn StateStore, key: Key, until: i64) -> Result<bool, StoreError> {
    Ok(matches!(
        begin_as(store, key, &new_owner(), Phase::Done, until).await?,
        Begun::Won(_)
    ))
}

/// [`begin`] with a chosen owner token; two calls with the same token are
/// what an SDK retry of one request looks like to the store.
pub async fn begin_as(
    store: &dyn StateStore,
    key: Key,
    owner: &str,
    phase: Phase,
    until: i64,
) -> Result<Begun, StoreError> {
    let value = Record {
        owner: owner.to_owned(),
        phase,
    }
    .value();
    let item = Item {
        key: key.clone(),
        value: value.clone(),
        expires_at: Some(until),
    };
    match put_or_read_back(store, item, Condition::Absent).await {
        Ok(()) => Ok(Begun::Won(Claim {
            key,
            value,
            owner: owner.to_owned(),
        })),
        // The read-back shows someone else's record; its phase decides
        // whether the caller may say "already handled".
        Err((StoreError::ConditionFailed, read)) => Ok(match read? {
            Some(stored) if Record::read(&stored.value).phase == Phase::InProgress => {
                Begun::InProgress
            }
            Some(_) => Begun::Done,
            // It expired in between; a retry by the caller may win it.
            None => Begun::InProgress,
        }),
        Err((e, _)) => Err(e),
    }
}

impl Claim {
    pub fn key(&self) -> &Key {
        &self.key
    }

    /// Marks the work done and keeps the record until `until`.
    pub async fn finish(self, store: &dyn StateStore, until: i64) -> Result<(), StoreError> {
        let done = Record {
            owner: self.owner,
            phase: Phase::Done,
        }
        .value();
        let item = Item {
            key: self.key,
            value: done,
            expires_at: Some(until),
        };
        put_confirmed(store, item, Condition::ValueIs(self.value)).await
    }

    /// Gives the work up so the next delivery can do it; a record that is
    /// no longer ours (it expired and was taken) is left alone.
    pub async fn release(self, store: &dyn StateStore) -> Result<(), StoreError> {
        let expired = Item {
            key: self.key,
            value: String::new(),
            expires_at: Some(now_secs() - 1),
        };
        match store.put(expired, Condition::ValueIs(self.value)).await {
            Ok(()) | Err(StoreError::ConditionFailed) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

#[cfg(test)]
mod tests;
