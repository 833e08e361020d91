//! Subscriptions a channel made (`trello subscribe`), read from the store
//! beside the config's: the config wins a clash, a leftover cursor does not
//! replay what happened before the subscription, and a store that cannot
//! be read leaves the config's subscriptions polled.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use switchboard_core::config::Subscription;
use switchboard_core::ids::{ChannelId, UserId};
use switchboard_core::state::{Condition, Item, Key, MemoryStore, Query, StateStore, StoreError};
use switchboard_core::trello::subs::{Stored, SubscriptionStore};
use switchboard_poller::action::ActionId;
use tokio::sync::Notify;

use crate::support::{BASE_TS, BOARD, Board, SlackSim, config, id, poller, quick, seed_cursor};

fn soon() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(600)
}

fn stored(channel: &str, lists: &[&str], at: i64) -> Stored {
    Stored {
        sub: Subscription {
            board: BOARD.into(),
            channel: ChannelId::parse(channel).expect("channel"),
            tracker: "trello".into(),
            actions: Vec::new(),
            lists: lists.iter().map(|l| (*l).to_owned()).collect(),
        },
        added_by: UserId::parse("UANN").expect("user"),
        added_at: at,
    }
}

/// Action ids posted to each channel, from the messages' metadata.
fn by_channel(slack: &SlackSim) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in slack.posts() {
        let Some(m) = p.metadata else { continue };
        if let Some(ids) = m.payload["actions"].as_str() {
            out.entry(p.channel.clone())
                .or_default()
                .extend(ids.split(',').map(str::to_owned));
        }
    }
    out
}

#[tokio::test]
async fn stored_subscriptions_post_from_their_start_and_lose_to_the_config() {
    // 40 actions, ten a second from BASE_TS.
    let board = Board::with(40);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let subs = SubscriptionStore::new(store.as_ref());
    // Clashes with the config's subscription; its filter would post nothing.
    subs.save(&stored("C0TEAM", &["No such list"], BASE_TS), None)
        .await
        .expect("save");
    // Added two seconds in, where an earlier subscription's cursor was left
    // before every action.
    subs.save(&stored("C0OTHER", &[], BASE_TS + 2), None)
        .await
        .expect("save");
    store
        .put(
            Item {
                key: Key::new(format!("trello#{BOARD}#C0OTHER"), "cursor"),
                value: ActionId::at(BASE_TS - 1).to_string(),
                expires_at: None,
            },
            Condition::None,
        )
        .await
        .expect("leftover cursor");
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(100, 0, ""),
        store.clone(),
        slack.clone(),
        board,
        quick(),
    );

    let report = p.run_once(soon()).await;

    assert_eq!(report.subscriptions, 2, "{report:?}");
    let posted = by_channel(&slack);
    let all: Vec<String> = (0..40).map(id).collect();
    assert_eq!(
        posted.get("C0TEAM"),
        Some(&all),
        "the config's filters apply"
    );
    let since_added: Vec<String> = (20..40).map(id).collect();
    assert_eq!(
        posted.get("C0OTHER"),
        Some(&since_added),
        "nothing older than the subscription"
    );
}

/// A store whose queries fail, as an unreachable table would.
struct NoQueries(Arc<dyn StateStore>);

#[async_trait]
impl StateStore for NoQueries {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        self.0.get(key).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.0.put(item, condition).await
    }

    async fn query(&self, _q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        Err(StoreError::Other(anyhow::anyhow!(
            "the table is unreachable"
        )))
    }
}

#[tokio::test]
async fn a_store_that_cannot_list_subscriptions_still_polls_the_configs() {
    let board = Board::with(3);
    let inner: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(inner.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(100, 0, ""),
        Arc::new(NoQueries(inner)),
        slack.clone(),
        board,
        quick(),
    );

    let report = p.run_once(soon()).await;

    assert_eq!(report.subscriptions, 1);
    assert_eq!(report.actions_posted, 3);
    assert_eq!(
        by_channel(&slack).get("C0TEAM"),
        Some(&(0..3).map(id).collect::<Vec<_>>())
    );
}
