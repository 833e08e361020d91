//! The scanner's ledger: when each person last heard about each ticket, and
//! until when they asked for quiet (Snooze, Still valid). The scanner writes
//! it; the dispatcher records the buttons people press.
//!
//! Partition `ledger#<slack user>`, sort key `<tracker>/<project>/<ticket>`;
//! every message sent is also logged under `scanlog#YYYY-MM-DD`.

use serde::{Deserialize, Serialize};

use crate::clock::format_utc;
use crate::ids::{JobId, UserId};
use crate::state::{Condition, Item, Key, StateStore, StoreError};

/// The action ids of the digest's buttons: the scanner sets them, the
/// dispatcher's interactions route reads them back.
pub const SNOOZE: &str = "sb_snooze";
pub const STILL_VALID: &str = "sb_still_valid";

/// Ledger entries outlive their quiet window by this long, then expire.
const KEEP_SECS: i64 = 90 * 86_400;

/// Compare-and-set attempts before a busy entry is given up on.
const CAS_ATTEMPTS: usize = 8;

/// A ticket as the ledger names it: `tracker/project/key`.
pub fn ticket_key(tracker: &str, project: &str, key: &str) -> String {
    format!("{tracker}/{project}/{key}")
}

/// Splits a ledger ticket name into tracker, project and key; `None` when
/// it is not one (the button values come back from Slack as text).
pub fn split_ticket_key(text: &str) -> Option<(&str, &str, &str)> {
    let mut parts = text.splitn(3, '/');
    let (tracker, project, key) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = |s: &str| {
        s.len() <= 100
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    (!tracker.is_empty() && !key.is_empty() && ok(tracker) && ok(project) && ok(key))
        .then_some((tracker, project, key))
}

/// Why a ticket is quiet for a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quiet {
    /// They were told recently.
    Sent,
    /// They pressed "Snooze".
    Snoozed,
    /// They pressed "Still valid".
    StillValid,
}

/// One person's history with one ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When they were last told, epoch seconds.
    pub sent_at: Option<i64>,
    /// The reason they were last told (`stale`, `review`).
    pub reason: Option<String>,
    /// Nothing is sent before this, epoch seconds.
    pub quiet_until: i64,
    pub why: Quiet,
    /// The owner token of the run that claimed the send: two runs in the
    /// same second write different values, so a lost answer is read back
    /// as ours or theirs, never both.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub claim: Option<String>,
}

fn key(person: &UserId, ticket: &str) -> Key {
    Key::new(format!("ledger#{}", person.as_str()), ticket)
}

/// Reads the entry, keeping the stored text for a compare-and-set.
async fn read(store: &dyn StateStore, key: &Key) -> Result<(Option<Entry>, Condition), StoreError> {
    Ok(match store.get(key).await? {
        Some(item) => (
            serde_json::from_str(&item.value).ok(),
            Condition::ValueIs(item.value),
        ),
        None => (None, Condition::Absent),
    })
}

async fn write(
    store: &dyn StateStore,
    key: Key,
    entry: &Entry,
    condition: Condition,
) -> Result<(), StoreError> {
    let value = serde_json::to_string(entry).map_err(anyhow::Error::from)?;
    store
        .put(
            Item {
                key,
                value,
                expires_at: Some(entry.quiet_until + KEEP_SECS),
            },
            condition,
        )
        .await
}

/// The entry for a person and ticket, if any.
pub async fn get(
    store: &dyn StateStore,
    person: &UserId,
    ticket: &str,
) -> Result<Option<Entry>, StoreError> {
    Ok(read(store, &key(person, ticket)).await?.0)
}

/// Claims the right to tell `person` about `ticket` now: `false` while the
/// ticket is quiet for them (sent within the renotify window, snoozed) or
/// when an overlapping run claimed it first. The returned entry restores
/// the old state with [`unclaim`] if the message then fails.
pub async fn claim_send(
    store: &dyn StateStore,
    person: &UserId,
    ticket: &str,
    reason: &str,
    now: i64,
    renotify_secs: i64,
) -> Result<Option<Option<Entry>>, StoreError> {
    let k = key(person, ticket);
    let (old, condition) = read(store, &k).await?;
    if old.as_ref().is_some_and(|e| e.quiet_until > now) {
        return Ok(None);
    }
    let entry = Entry {
        sent_at: Some(now),
        reason: Some(reason.to_owned()),
        quiet_until: now + renotify_secs,
        why: Quiet::Sent,
        claim: Some(crate::state::once::new_owner()),
    };
    let value = serde_json::to_string(&entry).map_err(anyhow::Error::from)?;
    let item = Item {
        key: k,
        value,
        expires_at: Some(entry.quiet_until + KEEP_SECS),
    };
    match crate::state::once::put_confirmed(store, item, condition).await {
        Ok(()) => Ok(Some(old)),
        Err(StoreError::ConditionFailed) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Puts back what [`claim_send`] replaced, after a message failed, so the
/// next run tries again.
pub async fn unclaim(
    store: &dyn StateStore,
    person: &UserId,
    ticket: &str,
    previous: Option<Entry>,
) -> Result<(), StoreError> {
    let k = key(person, ticket);
    match previous {
        Some(entry) => write(store, k, &entry, Condition::None).await,
        None => crate::state::release(store, k).await,
    }
}

/// Keeps `ticket` quiet for `person` until at least `until`, for `why`.
/// A longer quiet already recorded is kept.
pub async fn quiet(
    store: &dyn StateStore,
    person: &UserId,
    ticket: &str,
    until: i64,
    why: Quiet,
) -> Result<Entry, StoreError> {
    let k = key(person, ticket);
    for _ in 0..CAS_ATTEMPTS {
        let (old, condition) = read(store, &k).await?;
        let entry = match old {
            Some(e) if e.quiet_until >= until => return Ok(e),
            Some(e) => Entry {
                quiet_until: until,
                why,
                ..e
            },
            None => Entry {
                sent_at: None,
                reason: None,
                quiet_until: until,
                why,
                claim: None,
            },
        };
        match write(store, k.clone(), &entry, condition).await {
            Ok(()) => return Ok(entry),
            Err(StoreError::ConditionFailed) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::ConditionFailed)
}

/// One message sent by the scanner, as the log keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub at: i64,
    pub person: String,
    pub ticket: String,
    pub reason: String,
}

/// Logs a message sent about a ticket (kept as long as the ledger).
pub async fn log_sent(store: &dyn StateStore, sent: &Sent) -> Result<(), StoreError> {
    let day = &format_utc(sent.at)[..10];
    let value = serde_json::to_string(sent).map_err(anyhow::Error::from)?;
    // The key is random, so an entry already there is this one.
    crate::state::once::put_confirmed(
        store,
        Item {
            key: Key::new(
                format!("scanlog#{day}"),
                format!("{:010}#{}", sent.at, JobId::new_random()),
            ),
            value,
            expires_at: Some(sent.at + KEEP_SECS),
        },
        Condition::Absent,
    )
    .await
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
