//! What reaches the channel: a new subscription starting from now, one
//! message per action oldest first at Slack's pace, the summary threshold,
//! filters, and a refused post retried by the next run.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_core::state::{MemoryStore, StateStore};
use switchboard_poller::action::ActionId;
use tokio::sync::Notify;

use crate::support::{
    Board, Captured, SlackSim, action, assert_exactly_once, config, cursor, id, poller, quick,
    seed_cursor,
};

fn soon() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(600)
}

#[tokio::test]
async fn a_new_subscription_starts_from_now_and_says_so() {
    let board = Board::with(30);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        board.clone(),
        quick(),
    );
    let logs = Captured::default();
    let guard = logs.install();

    let first = p.run_once(soon()).await;

    drop(guard);
    assert_eq!(first.started, 1);
    assert_eq!(board.requests.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert!(
        slack.posts().is_empty(),
        "the board's history is not replayed"
    );
    assert!(logs.text().contains("starting from now"), "{}", logs.text());
    let start = cursor(store.as_ref()).await.expect("a cursor");
    assert!(start.as_str() >= ActionId::at(now_secs() - 5).as_str());

    // Something that happens afterwards is posted by the next run.
    let mut later = action(0);
    let new_id = format!("{:08x}{:016x}", now_secs() + 2, 7);
    later["id"] = new_id.clone().into();
    board.push(later);
    let second = p.run_once(soon()).await;
    assert_eq!(second.actions_posted, 1);
    assert_eq!(slack.posted_ids().keys().collect::<Vec<_>>(), [&new_id]);
}

#[tokio::test(start_paused = true)]
async fn single_posts_go_oldest_first_about_a_second_apart() {
    let board = Board::with(5);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 1000, ""),
        store.clone(),
        slack.clone(),
        board,
        quick(),
    );

    let report = p.run_once(soon()).await;

    assert_eq!(report.actions_posted, 5);
    assert_eq!(report.messages, 5);
    let posts = slack.posts();
    let ids: Vec<String> = posts
        .iter()
        .map(|p| {
            p.metadata.as_ref().expect("metadata").payload["actions"]
                .as_str()
                .expect("ids")
                .to_owned()
        })
        .collect();
    assert_eq!(ids, (0..5).map(id).collect::<Vec<_>>());
    assert!(posts.iter().all(|p| p.thread_ts.is_none()));
    for pair in posts.windows(2) {
        assert!(pair[1].at - pair[0].at >= Duration::from_secs(1), "paced");
    }
    assert!(
        posts[0]
            .text
            .contains("*Ann Example* created <https://trello.com/c/c0000000|Card 0> in *To Do*")
    );
    assert!(
        posts[1]
            .text
            .contains("moved <https://trello.com/c/c0000001|Card 1> from *To Do* to *Done*")
    );
    assert_eq!(cursor(store.as_ref()).await, Some(id(4)));
}

#[tokio::test]
async fn more_than_the_threshold_becomes_one_summary_with_the_details_in_its_thread() {
    for (count, top_level, replies) in [(20, 20, 0), (21, 1, 1), (51, 1, 3)] {
        let board = Board::with(count);
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        seed_cursor(store.as_ref()).await;
        let slack = SlackSim::new(Arc::new(Notify::new()));
        let p = poller(config(20, 0, ""), store, slack.clone(), board, quick());
        p.run_once(soon()).await;
        assert_eq!(slack.top_level().len(), top_level, "{count} actions");
        assert_eq!(slack.posts().len() - top_level, replies, "{count} actions");
        assert_exactly_once(&slack, count, "threshold");
    }
}

#[tokio::test]
async fn filters_choose_what_is_posted_and_the_cursor_passes_the_rest() {
    // Kinds cycle create, move, comment, checklist; only moves and
    // comments touching "Done" are wanted, and checklist items name no list.
    let board = Board::with(8);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let extra = "actions = [\"updateCard:idList\", \"commentCard\", \"updateCheckItemStateOnCard\"]\nlists = [\"done\"]";
    let p = poller(
        config(20, 0, extra),
        store.clone(),
        slack.clone(),
        board,
        quick(),
    );

    p.run_once(soon()).await;

    let posted: Vec<String> = slack.posted_ids().into_keys().collect();
    assert_eq!(posted, [id(1), id(2), id(5), id(6)]);
    assert_eq!(cursor(store.as_ref()).await, Some(id(7)));
}

#[tokio::test]
async fn a_post_slack_refuses_is_released_and_posted_by_the_next_run() {
    let board = Board::with(3);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        board,
        quick(),
    );
    slack.refuse_next("not_in_channel");

    let first = p.run_once(soon()).await;
    assert_eq!((first.actions_posted, first.failed), (0, 1));
    assert_eq!(
        cursor(store.as_ref()).await,
        Some(ActionId::at(crate::support::BASE_TS - 1).to_string())
    );

    // No stale wait: the claim was given back at once.
    let second = p.run_once(soon()).await;
    assert_eq!(second.actions_posted, 3);
    assert_exactly_once(&slack, 3, "after a refusal");
}

#[tokio::test]
async fn a_fresh_claim_of_another_run_defers_the_rest_to_it() {
    let board = Board::with(3);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    // Another run holds the second action right now.
    store
        .put(
            switchboard_core::state::Item {
                key: switchboard_core::state::Key::new(
                    crate::support::cursor_key().pk,
                    format!("a#{}", id(1)),
                ),
                value: format!("{{\"state\":\"pending\",\"at\":{}}}", now_secs()),
                expires_at: Some(now_secs() + 600),
            },
            switchboard_core::state::Condition::Absent,
        )
        .await
        .expect("claim");
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        board,
        quick(),
    );

    let report = p.run_once(soon()).await;

    assert_eq!((report.actions_posted, report.deferred), (1, 1));
    assert_eq!(slack.posted_ids().into_keys().collect::<Vec<_>>(), [id(0)]);
    assert_eq!(
        cursor(store.as_ref()).await,
        Some(id(0)),
        "the cursor stops before the held action"
    );
}
