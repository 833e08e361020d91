//! The in-process fake: the same semantics, no persistence.

use std::collections::BTreeMap;
use std::sync::Mutex;

use async_trait::async_trait;

use super::{Condition, Item, Key, Order, StateStore, StoreError, apply_put, query_map};
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

    async fn query(
        &self,
        pk: &str,
        sk_prefix: &str,
        order: Order,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        Ok(query_map(
            &self.lock(),
            pk,
            sk_prefix,
            order,
            limit,
            now_secs(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn memory_store_meets_the_contract() {
        super::super::contract::run_all(&super::MemoryStore::new()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_conflict_storm_loses_and_doubles_nothing() {
        let store: std::sync::Arc<dyn crate::state::StateStore> =
            std::sync::Arc::new(super::MemoryStore::new());
        let lost = super::super::contract::conflict_storm(&[store], 16, 25).await;
        assert!(lost > 0, "the writers never collided");
    }

    #[tokio::test]
    async fn a_released_claim_can_be_won_again() {
        use crate::state::{Key, claim, release};
        let store = super::MemoryStore::new();
        let key = Key::new("event", "Ev1");
        let until = crate::clock::now_secs() + 60;
        assert!(claim(&store, key.clone(), until).await.expect("claim"));
        assert!(!claim(&store, key.clone(), until).await.expect("claim"));
        release(&store, key.clone()).await.expect("release");
        assert!(claim(&store, key, until).await.expect("claim"));
    }
}
