//! The behaviour every `StateStore` must show; each adapter's tests run it.

use super::{Condition, Item, Key, Query, StateStore, StoreError};
use crate::clock::now_secs;

fn item(pk: &str, sk: &str, value: &str, expires_at: Option<i64>) -> Item {
    Item {
        key: Key::new(pk, sk),
        value: value.into(),
        expires_at,
    }
}

fn lost<T: std::fmt::Debug>(result: Result<T, StoreError>) -> bool {
    matches!(result, Err(StoreError::ConditionFailed))
}

pub async fn run_all(store: &dyn StateStore) {
    // A partition name unique to this run keeps runs on a shared table apart.
    let p = format!("t{}", crate::ids::JobId::new_random());
    let now = now_secs();

    // Claims: the first wins, the second loses, the winner's value stays.
    let k = Key::new(&p, "claim");
    store
        .put(
            item(&p, "claim", "first", Some(now + 3600)),
            Condition::Absent,
        )
        .await
        .expect("first claim");
    assert!(lost(
        store
            .put(
                item(&p, "claim", "second", Some(now + 3600)),
                Condition::Absent
            )
            .await
    ));
    let got = store.get(&k).await.expect("get").expect("claimed item");
    assert_eq!(got.value, "first");
    assert_eq!(got.expires_at, Some(now + 3600), "TTL is stored");

    // An expired claim reads as absent and can be claimed again.
    store
        .put(item(&p, "old", "stale", Some(now - 10)), Condition::None)
        .await
        .expect("write expired");
    assert!(
        store
            .get(&Key::new(&p, "old"))
            .await
            .expect("get")
            .is_none()
    );
    store
        .put(item(&p, "old", "fresh", None), Condition::Absent)
        .await
        .expect("reclaim after expiry");

    // Compare-and-set: only the writer holding the current value wins.
    store
        .put(item(&p, "cursor", "v1", None), Condition::Absent)
        .await
        .expect("cursor init");
    store
        .put(
            item(&p, "cursor", "v2", None),
            Condition::ValueIs("v1".into()),
        )
        .await
        .expect("cas from v1");
    assert!(lost(
        store
            .put(
                item(&p, "cursor", "v2b", None),
                Condition::ValueIs("v1".into())
            )
            .await
    ));
    assert!(lost(
        store
            .put(
                item(&p, "nothing", "x", None),
                Condition::ValueIs("v1".into())
            )
            .await
    ));
    let cursor = store.get(&Key::new(&p, "cursor")).await.expect("get");
    assert_eq!(cursor.map(|i| i.value).as_deref(), Some("v2"));

    // Unconditional writes overwrite.
    store
        .put(item(&p, "cursor", "v3", None), Condition::None)
        .await
        .expect("overwrite");

    // Queries: prefix, order, limit, and expired items left out.
    for (sk, exp) in [
        ("job#001", None),
        ("job#002", None),
        ("job#003", Some(now - 1)),
        ("job#004", None),
        ("jobx", None),
    ] {
        store
            .put(item(&p, sk, sk, exp), Condition::None)
            .await
            .expect("seed");
    }
    let asc = store
        .query(Query::partition(&p).prefix("job#").limit(10))
        .await
        .expect("query");
    let sks: Vec<&str> = asc.iter().map(|i| i.key.sk.as_str()).collect();
    assert_eq!(sks, ["job#001", "job#002", "job#004"]);
    let desc = store
        .query(Query::partition(&p).prefix("job#").descending().limit(2))
        .await
        .expect("query");
    let sks: Vec<&str> = desc.iter().map(|i| i.key.sk.as_str()).collect();
    assert_eq!(sks, ["job#004", "job#002"]);
    let other = format!("{p}-other");
    assert!(
        store
            .query(Query::partition(&other).limit(10))
            .await
            .expect("query")
            .is_empty()
    );

    // Values are opaque text: unicode and JSON survive byte for byte.
    let odd = "{\"s\":\"Привет — \\\"quoted\\\" 🎉\"}\n";
    store
        .put(item(&p, "odd", odd, None), Condition::None)
        .await
        .expect("odd value");
    let back = store
        .get(&Key::new(&p, "odd"))
        .await
        .expect("get")
        .expect("odd");
    assert_eq!(back.value, odd);

    idempotency_records(store, &p).await;
}

/// The idempotency record's cases, in the store's own terms.
async fn idempotency_records(store: &dyn StateStore, p: &str) {
    use super::once::{Begun, Phase, begin, begin_as, claim, in_progress_until};
    let now = now_secs();

    // The first begin wins; a second owner sees the work in progress.
    let k = Key::new(p, "once#delivery");
    let Begun::Won(mine) = begin(store, k.clone(), in_progress_until(now))
        .await
        .expect("begin")
    else {
        panic!("the first begin must win");
    };
    assert!(matches!(
        begin(store, k.clone(), in_progress_until(now)).await,
        Ok(Begun::InProgress)
    ));
    // Finished, it reads as done for the window.
    mine.finish(store, now + 3600).await.expect("finish");
    assert!(matches!(
        begin(store, k.clone(), in_progress_until(now)).await,
        Ok(Begun::Done)
    ));

    // A retry of our own applied write (same owner token) still wins: the
    // lost answer cannot turn into "someone else has it".
    let k = Key::new(p, "once#retried");
    let first = begin_as(store, k.clone(), "owner-a", Phase::InProgress, now + 60).await;
    assert!(matches!(first, Ok(Begun::Won(_))));
    let retried = begin_as(store, k.clone(), "owner-a", Phase::InProgress, now + 60).await;
    assert!(
        matches!(retried, Ok(Begun::Won(_))),
        "our own retried write is ours: {retried:?}"
    );
    let other = begin_as(store, k.clone(), "owner-b", Phase::InProgress, now + 60).await;
    assert!(matches!(other, Ok(Begun::InProgress)));

    // An in-progress record past its bound (its run died) frees the work.
    let k = Key::new(p, "once#killed");
    store
        .put(
            item(
                p,
                "once#killed",
                r#"{"owner":"dead","phase":"in_progress"}"#,
                Some(now - 1),
            ),
            Condition::None,
        )
        .await
        .expect("a dead run's record");
    assert!(matches!(
        begin(store, k.clone(), in_progress_until(now)).await,
        Ok(Begun::Won(_))
    ));

    // Releasing gives the work to the next caller; a stale claim released
    // after someone else took the key leaves their record alone.
    let k = Key::new(p, "once#released");
    let Ok(Begun::Won(c)) = begin(store, k.clone(), in_progress_until(now)).await else {
        panic!("begin must win");
    };
    c.release(store).await.expect("release");
    let Ok(Begun::Won(taken)) = begin(store, k.clone(), in_progress_until(now)).await else {
        panic!("a released record can be taken");
    };
    taken.finish(store, now + 3600).await.expect("finish");
    let k2 = Key::new(p, "once#taken-over");
    let Ok(Begun::Won(old)) = begin_as(store, k2.clone(), "a", Phase::InProgress, now + 60).await
    else {
        panic!("begin must win");
    };
    let theirs = r#"{"owner":"b","phase":"in_progress"}"#;
    store
        .put(
            item(p, "once#taken-over", theirs, Some(now + 60)),
            Condition::None,
        )
        .await
        .expect("another run takes the key over");
    old.release(store)
        .await
        .expect("a stale release is no error");
    let kept = store.get(&k2).await.expect("get").expect("their record");
    assert_eq!(kept.value, theirs, "a stale release leaves their record");
    assert!(matches!(
        begin(store, k, in_progress_until(now)).await,
        Ok(Begun::Done)
    ));

    // A one-step claim: one winner, and a bare old value reads as done.
    let k = Key::new(p, "once#window");
    assert!(claim(store, k.clone(), now + 60).await.expect("claim"));
    assert!(!claim(store, k, now + 60).await.expect("claim"));
    store
        .put(
            item(p, "once#legacy", "1764000000", Some(now + 60)),
            Condition::None,
        )
        .await
        .expect("legacy value");
    assert!(matches!(
        begin(store, Key::new(p, "once#legacy"), now + 60).await,
        Ok(Begun::Done)
    ));
}

/// Many writers compare-and-set one counter at once, through `handles`
/// (several handles onto one store, where that means something). Each
/// increment reads, yields so the others read the same value, and writes
/// conditionally, retrying when it loses. Nothing lost: the counter ends
/// at the number of successful writes. Nothing doubled: no two writers win
/// with the same old value. Returns the number of lost races, which must be
/// some for the test to mean anything.
pub async fn conflict_storm(
    handles: &[std::sync::Arc<dyn StateStore>],
    writers: usize,
    each: usize,
) -> usize {
    let key = Key::new(format!("t{}", crate::ids::JobId::new_random()), "counter");
    let mut set = tokio::task::JoinSet::new();
    for w in 0..writers {
        let store = handles[w % handles.len()].clone();
        let key = key.clone();
        set.spawn(async move {
            let (mut won, mut lost_races) = (Vec::new(), 0);
            while won.len() < each {
                let old = store.get(&key).await.expect("read the counter");
                tokio::task::yield_now().await;
                let (n, condition) = match &old {
                    None => (0, Condition::Absent),
                    Some(i) => (
                        i.value.parse::<usize>().expect("a number"),
                        Condition::ValueIs(i.value.clone()),
                    ),
                };
                let next = Item {
                    key: key.clone(),
                    value: (n + 1).to_string(),
                    expires_at: None,
                };
                match store.put(next, condition).await {
                    Ok(()) => won.push(n + 1),
                    Err(StoreError::ConditionFailed) => lost_races += 1,
                    Err(e) => panic!("a write failed outright: {e}"),
                }
            }
            (won, lost_races)
        });
    }
    let (mut values, mut lost_races) = (Vec::new(), 0);
    while let Some(done) = set.join_next().await {
        let (won, lost) = done.expect("writer task");
        values.extend(won);
        lost_races += lost;
    }
    let total = writers * each;
    values.sort_unstable();
    assert_eq!(
        values,
        (1..=total).collect::<Vec<_>>(),
        "every value written exactly once"
    );
    let last = handles[0].get(&key).await.expect("read").expect("counter");
    assert_eq!(last.value, total.to_string(), "the counter holds every win");
    lost_races
}
