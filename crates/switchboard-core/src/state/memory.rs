//! The in-process fake: the same semantics, no persistence.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{Condition, Item, Key, Query, StateStore, StoreError, apply_put, query_map};
use crate::clock::now_secs;

#[derive(Debug, Default)]
pub struct MemoryStore {
    items: Mutex<BTreeMap<Key, Item>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Key, Item>> {
        // A panic while holding the lock cannot leave the map half-written
        // (every change is one insert), so a poisoned lock is still usable.
        self.items
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[async_trait]
impl StateStore for MemoryStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        Ok(self
            .lock()
            .get(key)
            .filter(|i| i.is_live(now_secs()))
            .cloned())
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        apply_put(&mut self.lock(), item, &condition, now_secs())
    }

    async fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        Ok(query_map(&self.lock(), q, now_secs()))
    }
}

#[cfg(test)]
mod tests;
