//! The state store port: a key-value table with conditional writes and
//! expiry, the semantics DynamoDB gives and the embedded file copies.

mod dynamo;
mod file;
mod memory;
pub mod once;

pub use dynamo::DynamoStore;
pub use file::FileStore;
pub use memory::MemoryStore;

use async_trait::async_trait;

/// An item's address: partition key and sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

/// One stored item. `value` is opaque text (JSON by convention);
/// `expires_at` is epoch seconds, after which the item reads as absent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub key: Key,
    pub value: String,
    pub expires_at: Option<i64>,
}

impl Item {
    pub fn is_live(&self, now: i64) -> bool {
        self.expires_at.is_none_or(|t| t > now)
    }
}

/// What must hold for a write to go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Write unconditionally.
    None,
    /// Only if no live item has this key (a claim).
    Absent,
    /// Only if the live item's value is exactly this (compare-and-set).
    ValueIs(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    Ascending,
    Descending,
}

/// Which items a query reads: the live items of one partition whose sort
/// key starts with a prefix, in sort-key order, at most a limit. Named
/// fields, so a partition and a prefix cannot be passed the wrong way round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    pub pk: &'a str,
    pub sk_prefix: &'a str,
    pub order: Order,
    pub limit: usize,
}

impl<'a> Query<'a> {
    /// Every live item of partition `pk`, in ascending sort-key order.
    pub fn partition(pk: &'a str) -> Self {
        Self {
            pk,
            sk_prefix: "",
            order: Order::Ascending,
            limit: usize::MAX,
        }
    }

    /// Only the items whose sort key starts with `sk_prefix`.
    pub fn prefix(self, sk_prefix: &'a str) -> Self {
        Self { sk_prefix, ..self }
    }

    /// Newest sort key first.
    pub fn descending(self) -> Self {
        Self {
            order: Order::Descending,
            ..self
        }
    }

    /// At most `limit` items.
    pub fn limit(self, limit: usize) -> Self {
        Self { limit, ..self }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The write's condition did not hold: someone else got there first.
    #[error("the conditional write lost to another writer")]
    ConditionFailed,
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

/// Durable state shared by every function.
#[async_trait]
pub trait StateStore: Send + Sync {
    /// Reads one live item.
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError>;

    /// Writes one item if `condition` holds.
    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError>;

    /// The live items `q` selects.
    async fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError>;
}

/// Claims `key` until `until` (epoch seconds): `true` for the one caller
/// that wins, `false` while someone else's claim is live. Dedupe of events,
/// deliveries and repeat windows all rest on this; see [`once`] for why a
/// lost answer cannot turn our own win into a loss.
pub use once::claim;

/// Gives a claim up early, so a retry can win it: the item is overwritten
/// with one already expired, which every store reads as absent (the
/// functions' roles have no delete permission).
pub async fn release(store: &dyn StateStore, key: Key) -> Result<(), StoreError> {
    let expired = Item {
        key,
        value: String::new(),
        expires_at: Some(crate::clock::now_secs() - 1),
    };
    store.put(expired, Condition::None).await
}

/// Applies a conditional put to an in-memory map; the memory and file
/// stores share it so their semantics cannot drift apart.
fn apply_put(
    map: &mut std::collections::BTreeMap<Key, Item>,
    item: Item,
    condition: &Condition,
    now: i64,
) -> Result<(), StoreError> {
    let current = map.get(&item.key).filter(|i| i.is_live(now));
    let holds = match condition {
        Condition::None => true,
        Condition::Absent => current.is_none(),
        Condition::ValueIs(expected) => current.is_some_and(|i| &i.value == expected),
    };
    if !holds {
        return Err(StoreError::ConditionFailed);
    }
    map.insert(item.key.clone(), item);
    Ok(())
}

fn query_map(map: &std::collections::BTreeMap<Key, Item>, q: Query<'_>, now: i64) -> Vec<Item> {
    let start = Key::new(q.pk, q.sk_prefix);
    let matching = map
        .range(start..)
        .take_while(|(k, _)| k.pk == q.pk && k.sk.starts_with(q.sk_prefix))
        .map(|(_, v)| v)
        .filter(|i| i.is_live(now));
    match q.order {
        Order::Ascending => matching.take(q.limit).cloned().collect(),
        Order::Descending => {
            let all: Vec<&Item> = matching.collect();
            all.into_iter().rev().take(q.limit).cloned().collect()
        }
    }
}

#[cfg(test)]
pub(crate) mod contract;
