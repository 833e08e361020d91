use super::*;
use crate::state::{Condition, Item, Key};

/// A long-running `serve` rewrites the same keys (cursors, locks) and
/// releases claims all day: the file is compacted while it runs, and
/// expired items leave memory.
#[tokio::test]
async fn a_running_store_compacts_and_forgets_expired_items() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.jsonl");
    let store = FileStore::open(&path).expect("open");
    let value = "v".repeat(1000);
    let writes = SWEEP_EVERY_WRITES as usize + 200;
    for n in 0..writes {
        let expires_at = if n % 2 == 0 {
            Some(now_secs() + 3600)
        } else {
            // A released claim: written already expired.
            Some(now_secs() - 1)
        };
        store
            .put(
                Item {
                    key: Key::new("busy", format!("k{}", n % 8)),
                    value: format!("{n}{value}"),
                    expires_at,
                },
                Condition::None,
            )
            .await
            .expect("put");
    }
    let written = (writes * 1040) as u64;
    assert!(
        written > COMPACT_AFTER_BYTES,
        "the log outgrew the threshold"
    );
    let on_disk = std::fs::metadata(&path).expect("metadata").len();
    assert!(
        on_disk < COMPACT_AFTER_BYTES / 4,
        "compacted while running: {on_disk} bytes on disk"
    );
    let in_memory = store
        .inner
        .replica
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .map
        .len();
    assert_eq!(in_memory, 4, "only the live keys stay in memory");
    // Nothing live was lost by the rewrite.
    let reopened = FileStore::open(&path).expect("reopen");
    for k in [0, 2, 4, 6] {
        let item = reopened.get(&Key::new("busy", format!("k{k}"))).await;
        assert!(item.expect("get").is_some(), "k{k} survives");
    }
    for k in [1, 3, 5, 7] {
        let item = reopened.get(&Key::new("busy", format!("k{k}"))).await;
        assert!(item.expect("get").is_none(), "k{k} stays released");
    }
}

#[tokio::test]
async fn file_store_meets_the_contract() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FileStore::open(&dir.path().join("state.jsonl")).expect("open");
    crate::state::contract::run_all(&store).await;
}

/// Two handles onto one file, as two local processes would have.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conflict_storm_loses_and_doubles_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.jsonl");
    let handles: Vec<std::sync::Arc<dyn crate::state::StateStore>> = vec![
        std::sync::Arc::new(FileStore::open(&path).expect("open")),
        std::sync::Arc::new(FileStore::open(&path).expect("open")),
    ];
    let lost = crate::state::contract::conflict_storm(&handles, 16, 10).await;
    assert!(lost > 0, "the writers never collided");
}

#[tokio::test]
async fn survives_a_restart_and_sees_other_writers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("nested/state.jsonl");
    let a = FileStore::open(&path).expect("open a");
    let b = FileStore::open(&path).expect("open b");
    let key = Key::new("claim", "evt-1");
    let item = |v: &str| Item {
        key: key.clone(),
        value: v.into(),
        expires_at: None,
    };
    a.put(item("a"), Condition::Absent)
        .await
        .expect("a claims first");
    // b has its own replica: it must catch up before checking.
    assert!(matches!(
        b.put(item("b"), Condition::Absent).await,
        Err(StoreError::ConditionFailed)
    ));
    b.put(item("b"), Condition::ValueIs("a".into()))
        .await
        .expect("cas");
    drop((a, b));
    let reopened = FileStore::open(&path).expect("reopen");
    let got = reopened.get(&key).await.expect("get").expect("present");
    assert_eq!(got.value, "b");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_writers_in_separate_instances_let_exactly_one_claim_win() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.jsonl");
    for round in 0..20 {
        let mut tasks = tokio::task::JoinSet::new();
        for writer in 0..8 {
            // Each writer has its own replica, as separate processes do.
            let store = FileStore::open(&path).expect("open");
            tasks.spawn(async move {
                let item = Item {
                    key: Key::new("claim", format!("evt-{round}")),
                    value: format!("writer {writer}"),
                    expires_at: None,
                };
                store.put(item, Condition::Absent).await.is_ok()
            });
        }
        let mut winners = 0;
        while let Some(won) = tasks.join_next().await {
            winners += usize::from(won.expect("task"));
        }
        assert_eq!(winners, 1, "round {round}");
    }
}

#[tokio::test]
async fn a_torn_last_line_is_dropped_not_fatal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.jsonl");
    std::fs::write(
        &path,
        "{\"pk\":\"a\",\"sk\":\"1\",\"v\":\"x\"}\n{\"pk\":\"a\",\"sk\"",
    )
    .expect("write");
    let store = FileStore::open(&path).expect("open");
    let item = Item {
        key: Key::new("a", "2"),
        value: "y".into(),
        expires_at: None,
    };
    store.put(item, Condition::None).await.expect("put");
    let all = store
        .query(Query::partition("a").limit(10))
        .await
        .expect("query");
    assert_eq!(all.len(), 2);
    assert!(store.raw_log().expect("log").ends_with("\"v\":\"y\"}\n"));
}

#[tokio::test]
async fn a_corrupt_log_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.jsonl");
    std::fs::write(&path, "not json\n").expect("write");
    let err = FileStore::open(&path).expect_err("corrupt");
    assert!(
        format!("{err:#}").contains("state.jsonl is corrupt"),
        "{err:#}"
    );
}
