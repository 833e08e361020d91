//! Trello subscriptions a channel made itself (`trello subscribe`), kept in
//! the state store beside the config's: partition `trello-sub`, sort key
//! `{channel}#{board}`, so one query reads them all or one channel's. Only
//! the dispatcher writes them; the poller reads them each run. A removed
//! one is overwritten with an expired item (the roles have no delete).
//! Only this module knows the stored record's shape.

use serde::{Deserialize, Serialize};

use crate::config::{Subscription, TrelloActionKind, board_problem, check_lists, unique_actions};
use crate::ids::{ChannelId, UserId};
use crate::state::{Condition, Item, Key, Query, StateStore, StoreError};

/// The partition the dispatcher owns (template.yaml's LeadingKeys).
pub const PK: &str = "trello-sub";
/// The most stored subscriptions one query reads; more are not polled.
pub const MAX_STORED: usize = 1000;

/// A subscription a channel added, and who added it when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sub: Subscription,
    pub added_by: UserId,
    /// Epoch seconds; nothing older than this is posted for it.
    pub added_at: i64,
}

/// Where a subscription in force came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    Config,
    Added { by: UserId, at: i64 },
}

/// The stored record: the wire format of a [`Stored`].
#[derive(Serialize, Deserialize)]
struct Record {
    board: String,
    channel: String,
    tracker: String,
    #[serde(default)]
    actions: Vec<String>,
    #[serde(default)]
    lists: Vec<String>,
    added_by: String,
    added_at: i64,
}

impl Record {
    fn from_stored(s: &Stored) -> Self {
        Self {
            board: s.sub.board.clone(),
            channel: s.sub.channel.to_string(),
            tracker: s.sub.tracker.clone(),
            actions: s.sub.actions.iter().map(|a| a.name().to_owned()).collect(),
            lists: s.sub.lists.clone(),
            added_by: s.added_by.to_string(),
            added_at: s.added_at,
        }
    }

    /// The record as a subscription, checked as the config's are.
    fn into_stored(self) -> Result<Stored, String> {
        if let Some(problem) = board_problem(&self.board) {
            return Err(problem);
        }
        let channel = ChannelId::parse(&self.channel).map_err(|e| e.to_string())?;
        let added_by = UserId::parse(&self.added_by).map_err(|e| e.to_string())?;
        let actions = self
            .actions
            .iter()
            .map(|a| TrelloActionKind::from_name(a).ok_or_else(|| format!("unknown action {a:?}")))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Stored {
            sub: Subscription {
                board: self.board,
                channel,
                tracker: self.tracker,
                actions: unique_actions(&actions),
                lists: check_lists(&self.lists)?,
            },
            added_by,
            added_at: self.added_at,
        })
    }
}

fn key(channel: &ChannelId, board: &str) -> Key {
    Key::new(PK, format!("{channel}#{board}"))
}

/// The stored subscriptions over a state store.
pub struct SubscriptionStore<'a> {
    store: &'a dyn StateStore,
}

/// A stored subscription as read, with the exact text to compare against
/// when it is replaced.
pub struct Current {
    pub stored: Stored,
    raw: String,
}

impl<'a> SubscriptionStore<'a> {
    pub fn new(store: &'a dyn StateStore) -> Self {
        Self { store }
    }

    /// Every stored subscription (one query), or one channel's. A record
    /// that no longer reads as a subscription is logged and left out.
    pub async fn list(&self, channel: Option<&ChannelId>) -> Result<Vec<Stored>, StoreError> {
        let prefix = channel.map(|c| format!("{c}#")).unwrap_or_default();
        let items = self
            .store
            .query(Query::partition(PK).prefix(&prefix).limit(MAX_STORED))
            .await?;
        if items.len() >= MAX_STORED {
            tracing::warn!(
                limit = MAX_STORED,
                "too many stored Trello subscriptions; only the first are read"
            );
        }
        Ok(items.into_iter().filter_map(|i| read(&i)).collect())
    }

    pub async fn get(
        &self,
        channel: &ChannelId,
        board: &str,
    ) -> Result<Option<Current>, StoreError> {
        let Some(item) = self.store.get(&key(channel, board)).await? else {
            return Ok(None);
        };
        Ok(read(&item).map(|stored| Current {
            stored,
            raw: item.value,
        }))
    }

    /// Stores a new subscription, or replaces `previous` if it is still the
    /// one stored; `ConditionFailed` when someone changed it meanwhile.
    pub async fn save(&self, s: &Stored, previous: Option<&Current>) -> Result<(), StoreError> {
        let value = serde_json::to_string(&Record::from_stored(s))
            .map_err(|e| StoreError::Other(anyhow::Error::new(e)))?;
        let condition = match previous {
            Some(p) => Condition::ValueIs(p.raw.clone()),
            None => Condition::Absent,
        };
        let item = Item {
            key: key(&s.sub.channel, &s.sub.board),
            value,
            expires_at: None,
        };
        self.store.put(item, condition).await
    }

    pub async fn remove(&self, channel: &ChannelId, board: &str) -> Result<(), StoreError> {
        crate::state::release(self.store, key(channel, board)).await
    }
}

fn read(item: &Item) -> Option<Stored> {
    let record = serde_json::from_str::<Record>(&item.value).map_err(|e| e.to_string());
    match record.and_then(Record::into_stored) {
        Ok(s) => Some(s),
        Err(why) => {
            tracing::warn!(sk = %item.key.sk, why, "a stored Trello subscription is unreadable; it is not polled");
            None
        }
    }
}

/// The subscriptions in force: the config's, then the stored ones that do
/// not post the same board to the same channel (the config wins).
pub fn in_force(config: &[Subscription], stored: Vec<Stored>) -> Vec<(Subscription, Origin)> {
    let mut out: Vec<(Subscription, Origin)> =
        config.iter().map(|s| (s.clone(), Origin::Config)).collect();
    for s in stored {
        if out.iter().any(|(o, _)| o.same_feed(&s.sub)) {
            tracing::debug!(board = %s.sub.board, channel = %s.sub.channel, "the config's subscription wins over the stored one");
            continue;
        }
        out.push((
            s.sub,
            Origin::Added {
                by: s.added_by,
                at: s.added_at,
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests;
