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
