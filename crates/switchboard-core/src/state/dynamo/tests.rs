use super::*;
use crate::testing::moto;

#[tokio::test]
async fn dynamo_store_meets_the_contract_on_moto() {
    let aws = moto::sdk_config().await;
    let table = moto::create_table(&aws).await;
    let store = DynamoStore::new(Client::new(&aws), table);
    crate::state::contract::run_all(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conflict_storm_loses_and_doubles_nothing_on_moto() {
    let aws = moto::sdk_config().await;
    let table = moto::create_table(&aws).await;
    let store: std::sync::Arc<dyn crate::state::StateStore> =
        std::sync::Arc::new(DynamoStore::new(Client::new(&aws), table));
    let lost = crate::state::contract::conflict_storm(&[store], 8, 5).await;
    assert!(lost > 0, "the writers never collided");
}

/// The SDK gives up on an attempt after 900 ms and sends the write
/// again; the first one was applied, so the retry's condition fails.
#[tokio::test]
async fn a_claim_whose_answer_comes_late_is_still_ours_on_moto() {
    use crate::state::once::{Begun, begin, in_progress_until};
    use crate::testing::fault::{Fault, FaultProxy};
    let proxy = FaultProxy::start(&moto::endpoint()).await;
    let table = moto::create_table(&moto::sdk_config().await).await;
    let aws = moto::production_sdk_config(proxy.url()).await;
    let store = DynamoStore::new(Client::new(&aws), table);
    let late = Fault::Delay(std::time::Duration::from_millis(1300));
    const PUT: &str = "DynamoDB_20120810.PutItem";

    // The fault is real: a bare conditional write is applied, yet its
    // caller hears a failure (the retry's condition failed, or time ran
    // out).
    proxy.fault(PUT, late, 1);
    let bare_key = Key::new("webhook", "Github:bare");
    let bare = store
        .put(
            Item {
                key: bare_key.clone(),
                value: "mine".into(),
                expires_at: Some(now_secs() + 600),
            },
            Condition::Absent,
        )
        .await;
    assert!(bare.is_err(), "the late answer is heard as a failure");
    let stored = store.get(&bare_key).await.expect("get").expect("applied");
    assert_eq!(stored.value, "mine", "yet the write was applied");

    // The idempotency record reads it back and knows it won.
    proxy.fault(PUT, late, 1);
    let key = Key::new("webhook", "Github:late");
    let begun = begin(&store, key.clone(), in_progress_until(now_secs()))
        .await
        .expect("begin");
    let Begun::Won(claim) = begun else {
        panic!("a late answer to our own claim is still our claim: {begun:?}");
    };
    assert!(
        proxy.seen(PUT).len() >= 3,
        "the SDK retried at least one applied write"
    );
    // Another delivery sees the work in progress, then done.
    assert!(matches!(
        begin(&store, key.clone(), in_progress_until(now_secs())).await,
        Ok(Begun::InProgress)
    ));
    proxy.fault(PUT, late, 1);
    claim
        .finish(&store, now_secs() + 600)
        .await
        .expect("finishing survives a late answer too");
    assert!(matches!(
        begin(&store, key, in_progress_until(now_secs())).await,
        Ok(Begun::Done)
    ));
}

#[tokio::test]
async fn the_second_conditional_write_loses_on_moto() {
    let aws = moto::sdk_config().await;
    let table = moto::create_table(&aws).await;
    let store = DynamoStore::new(Client::new(&aws), table.clone());
    let claim = |v: &str| Item {
        key: Key::new("claim", "Ev123"),
        value: v.into(),
        expires_at: Some(now_secs() + 600),
    };
    let (a, b) = tokio::join!(
        store.put(claim("a"), Condition::Absent),
        store.put(claim("b"), Condition::Absent)
    );
    assert!(
        a.is_ok() ^ b.is_ok(),
        "exactly one concurrent claim wins: {a:?} {b:?}"
    );
    // The raw item carries the TTL attribute DynamoDB expires on.
    let raw = Client::new(&aws)
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("claim".into()))
        .key("sk", AttributeValue::S("Ev123".into()))
        .send()
        .await
        .expect("raw get");
    let exp = raw
        .item()
        .and_then(|i| i.get("expires_at"))
        .expect("ttl attribute");
    assert!(exp.as_n().is_ok());
}
