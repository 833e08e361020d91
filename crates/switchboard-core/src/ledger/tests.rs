use super::*;
use crate::state::MemoryStore;

fn alice() -> UserId {
    UserId::parse("U0ALICE").expect("user")
}

/// Overlapping scanner runs claim the same (person, ticket) while
/// DynamoDB's answers come late: each claim is retried by the SDK after
/// it was applied. Exactly one run may send the DM.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_dm_per_ticket_when_claims_are_answered_late_on_moto() {
    use crate::state::DynamoStore;
    use crate::testing::fault::{Fault, FaultProxy};
    use crate::testing::moto;
    let table = moto::create_table(&moto::sdk_config().await).await;
    let proxy = FaultProxy::start(&moto::endpoint()).await;
    let aws = moto::production_sdk_config(proxy.url()).await;
    let store = std::sync::Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table));
    const RUNS: usize = 6;
    let late = Fault::Delay(std::time::Duration::from_millis(1300));
    proxy.fault("DynamoDB_20120810.PutItem", late, RUNS);
    let now = crate::clock::now_secs();
    let mut runs = tokio::task::JoinSet::new();
    for _ in 0..RUNS {
        let store = store.clone();
        runs.spawn(async move {
            claim_send(store.as_ref(), &alice(), "cb/web/7", "stale", now, 86_400).await
        });
    }
    let mut winners = 0;
    while let Some(joined) = runs.join_next().await {
        match joined.expect("run") {
            Ok(Some(_)) => winners += 1,
            Ok(None) => {}
            // A run whose store answered nothing usable sends nothing.
            Err(e) => eprintln!("a run could not claim: {e}"),
        }
    }
    assert_eq!(winners, 1, "exactly one run sends the DM");
    let entry = get(store.as_ref(), &alice(), "cb/web/7")
        .await
        .expect("get")
        .expect("the claim is recorded");
    assert_eq!(entry.why, Quiet::Sent);
    assert!(
        proxy.seen("PutItem").iter().filter(|s| s.faulted).count() >= 1,
        "answers were delayed"
    );
}

#[test]
fn ticket_keys_round_trip_and_refuse_junk() {
    let k = ticket_key("cb", "web", "12");
    assert_eq!(split_ticket_key(&k), Some(("cb", "web", "12")));
    assert_eq!(split_ticket_key("trac//7"), Some(("trac", "", "7")));
    for bad in [
        "",
        "cb",
        "cb/web",
        "cb/web/",
        "/web/1",
        "cb/we b/1",
        "cb/web/1/2",
    ] {
        assert_eq!(split_ticket_key(bad), None, "{bad:?}");
    }
}

#[tokio::test]
async fn a_send_is_claimed_once_inside_the_window() {
    let store = MemoryStore::default();
    // Entries expire by the real clock, so the test's times are real too.
    let now = crate::clock::now_secs();
    let first = claim_send(&store, &alice(), "cb/web/1", "stale", now, 7 * 86_400)
        .await
        .expect("store");
    assert_eq!(first, Some(None));
    let again = claim_send(&store, &alice(), "cb/web/1", "stale", now + 60, 7 * 86_400)
        .await
        .expect("store");
    assert_eq!(again, None, "inside the renotify window");
    let later = claim_send(
        &store,
        &alice(),
        "cb/web/1",
        "stale",
        now + 7 * 86_400 + 1,
        7 * 86_400,
    )
    .await
    .expect("store");
    assert!(later.is_some(), "after the window it may be sent again");
}

#[tokio::test]
async fn unclaim_restores_what_was_there() {
    let store = MemoryStore::default();
    let now = crate::clock::now_secs();
    let previous = claim_send(&store, &alice(), "cb/web/1", "stale", now, 1000)
        .await
        .expect("store")
        .expect("claimed");
    unclaim(&store, &alice(), "cb/web/1", previous)
        .await
        .expect("store");
    assert!(
        claim_send(&store, &alice(), "cb/web/1", "stale", now + 1, 1000)
            .await
            .expect("store")
            .is_some(),
        "a failed send is tried again"
    );
}

#[tokio::test]
async fn quiet_extends_but_never_shortens() {
    let store = MemoryStore::default();
    let now = crate::clock::now_secs();
    let e = quiet(&store, &alice(), "cb/web/1", now + 5000, Quiet::Snoozed)
        .await
        .expect("store");
    assert_eq!((e.quiet_until, e.why), (now + 5000, Quiet::Snoozed));
    let e = quiet(&store, &alice(), "cb/web/1", now + 3000, Quiet::StillValid)
        .await
        .expect("store");
    assert_eq!(e.quiet_until, now + 5000, "the longer quiet stays");
    assert_eq!(
        claim_send(&store, &alice(), "cb/web/1", "stale", now + 4000, 10)
            .await
            .expect("store"),
        None,
        "snoozed tickets are not sent"
    );
}
