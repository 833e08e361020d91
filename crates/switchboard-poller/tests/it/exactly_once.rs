//! Overlapping runs and runs killed at any point: every action is posted
//! exactly once, on the memory store, the embedded file store and DynamoDB
//! (moto).

use std::sync::Arc;

use switchboard_core::state::{DynamoStore, FileStore, MemoryStore, StateStore};
use switchboard_core::testing::moto;
use tokio::sync::Notify;

use crate::support::{
    Board, CrashAt, CrashBetweenPages, CrashStore, SlackSim, assert_exactly_once, config, cursor,
    id, poller, quick, recovering, run_or_crash, seed_cursor,
};

/// Builds one store per run over the same state, as separate processes
/// (or Lambda instances) would have.
type Stores = Box<dyn Fn() -> Arc<dyn StateStore>>;

fn memory() -> Stores {
    let shared: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    Box::new(move || shared.clone())
}

fn file(dir: &tempfile::TempDir) -> Stores {
    let path = dir.path().join("state.jsonl");
    Box::new(move || {
        Arc::new(FileStore::open(&path).expect("open state file")) as Arc<dyn StateStore>
    })
}

async fn dynamo() -> Stores {
    let aws = moto::sdk_config().await;
    let table = moto::create_table(&aws).await;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    Box::new(move || {
        Arc::new(DynamoStore::new(client.clone(), table.clone())) as Arc<dyn StateStore>
    })
}

/// `runs` polls start together on one board of `count` actions.
async fn overlap(stores: &Stores, runs: usize, count: usize, threshold: usize) {
    let context = format!("{runs} runs, {count} actions, threshold {threshold}");
    seed_cursor(stores().as_ref()).await;
    let board = Board::with(count);
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..runs {
        let p = poller(
            config(threshold, 0, ""),
            stores(),
            slack.clone(),
            board.clone(),
            quick(),
        );
        tasks.spawn(async move {
            p.run_once(tokio::time::Instant::now() + std::time::Duration::from_secs(120))
                .await
        });
    }
    let mut posted = 0;
    while let Some(report) = tasks.join_next().await {
        let report = report.expect("run");
        assert_eq!(report.failed, 0, "{context}: {report:?}");
        posted += report.actions_posted;
    }
    assert_eq!(posted, count, "{context}: the runs' reports add up");
    assert_exactly_once(&slack, count, &context);
    assert_eq!(
        cursor(stores().as_ref()).await.as_deref(),
        Some(id(count - 1).as_str()),
        "{context}: the cursor reached the newest action"
    );
    if threshold < count {
        // Usually one summary. A run that gives way to another run's live
        // claim settles only a prefix, and a later run whose burst starts
        // after it opens its own summary: still every action exactly once.
        let summaries = slack.top_level().len();
        assert!(
            (1..=runs).contains(&summaries),
            "{context}: {summaries} summaries"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_runs_post_each_action_once_on_the_memory_store() {
    for runs in [2, 3, 10] {
        overlap(&memory(), runs, 12, 20).await;
        overlap(&memory(), runs, 80, 20).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_runs_post_each_action_once_on_the_file_store() {
    for runs in [2, 10] {
        let dir = tempfile::tempdir().expect("tempdir");
        overlap(&file(&dir), runs, 12, 20).await;
        let dir = tempfile::tempdir().expect("tempdir");
        overlap(&file(&dir), runs, 60, 20).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_runs_post_each_action_once_on_dynamodb() {
    for runs in [2, 10] {
        overlap(&dynamo().await, runs, 12, 20).await;
        overlap(&dynamo().await, runs, 60, 20).await;
    }
}

/// Runs once with `crash` armed (a store crash point, or a post after
/// which Slack "crashes" the run), then recovers with a fresh run.
async fn crash_then_recover(
    stores: &Stores,
    count: usize,
    threshold: usize,
    at: CrashAt,
    after_post: Option<usize>,
) -> bool {
    let context = format!(
        "{count} actions, threshold {threshold}, crash at {at:?} / after post {after_post:?}"
    );
    seed_cursor(stores().as_ref()).await;
    let board = Board::with(count);
    let crash = Arc::new(Notify::new());
    let slack = SlackSim::new(crash.clone());
    slack.crash_after_post(after_post);
    let first = poller(
        config(threshold, 0, ""),
        CrashStore::new(stores(), at, crash.clone()),
        slack.clone(),
        board.clone(),
        quick(),
    );
    let crashed = run_or_crash(&first, &crash).await;
    drop(first);
    slack.crash_after_post(None);
    let second = poller(
        config(threshold, 0, ""),
        stores(),
        slack.clone(),
        board,
        recovering(),
    );
    let report = second
        .run_once(tokio::time::Instant::now() + std::time::Duration::from_secs(120))
        .await;
    assert_eq!(report.failed, 0, "{context}: {report:?}");
    assert_exactly_once(&slack, count, &context);
    assert_eq!(
        cursor(stores().as_ref()).await.as_deref(),
        Some(id(count - 1).as_str()),
        "{context}"
    );
    crashed
}

/// How many store operations a clean run makes.
async fn clean_ops(count: usize, threshold: usize) -> usize {
    let inner: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(inner.as_ref()).await;
    let crash = Arc::new(Notify::new());
    let store = CrashStore::new(inner, CrashAt::Never, crash.clone());
    let p = poller(
        config(threshold, 0, ""),
        store.clone(),
        SlackSim::new(crash),
        Board::with(count),
        quick(),
    );
    p.run_once(tokio::time::Instant::now() + std::time::Duration::from_secs(60))
        .await;
    store.ops()
}

#[tokio::test]
async fn a_run_killed_before_any_store_operation_loses_and_repeats_nothing() {
    // One message per action, and a summary with three thread replies.
    for (count, threshold) in [(6, 20), (60, 20)] {
        let ops = clean_ops(count, threshold).await;
        assert!(ops > count * 2, "a clean run claims and marks each action");
        for k in 0..ops {
            let crashed =
                crash_then_recover(&memory(), count, threshold, CrashAt::Op(k), None).await;
            assert!(crashed, "op {k} of {ops} was reached");
        }
    }
}

#[tokio::test]
async fn a_run_killed_right_after_any_post_loses_and_repeats_nothing() {
    // Six single posts; then a summary and three replies (25, 25, 10).
    for (count, threshold, posts) in [(6, 20, 6), (60, 20, 4)] {
        for n in 1..=posts {
            let crashed =
                crash_then_recover(&memory(), count, threshold, CrashAt::Never, Some(n)).await;
            assert!(crashed, "post {n} was made");
        }
    }
}

/// The named crash points against one kind of store.
async fn named_crash_points(stores: impl Fn() -> Stores) {
    for (count, threshold) in [(8, 20), (60, 20)] {
        assert!(crash_then_recover(&stores(), count, threshold, CrashAt::Never, Some(2)).await);
        assert!(crash_then_recover(&stores(), count, threshold, CrashAt::CursorMove, None).await);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_after_a_post_and_before_the_cursor_moves_on_the_file_store() {
    let dirs: std::sync::Mutex<Vec<tempfile::TempDir>> = std::sync::Mutex::new(Vec::new());
    named_crash_points(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let stores = file(&dir);
        dirs.lock().expect("dirs").push(dir);
        stores
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crashes_after_a_post_and_before_the_cursor_moves_on_dynamodb() {
    let aws = moto::sdk_config().await;
    let client = aws_sdk_dynamodb::Client::new(&aws);
    // One table per scenario keeps the runs apart.
    let mut tables = Vec::new();
    for _ in 0..4 {
        tables.push(moto::create_table(&aws).await);
    }
    let tables = std::sync::Mutex::new(tables);
    named_crash_points(|| {
        let table = tables.lock().expect("tables").pop().expect("a table");
        let client = client.clone();
        Box::new(move || {
            Arc::new(DynamoStore::new(client.clone(), table.clone())) as Arc<dyn StateStore>
        })
    })
    .await;
}

/// A crash between two pages of a long burst posts nothing and moves
/// nothing; the next run reads the whole burst again.
async fn crash_between_pages(stores: &Stores, count: usize) {
    seed_cursor(stores().as_ref()).await;
    let board = Board::with(count);
    let crash = Arc::new(Notify::new());
    let slack = SlackSim::new(crash.clone());
    let first = poller(
        config(20, 0, ""),
        stores(),
        slack.clone(),
        Arc::new(CrashBetweenPages {
            inner: board.clone(),
            crash: crash.clone(),
        }),
        quick(),
    );
    assert!(
        run_or_crash(&first, &crash).await,
        "the second page was asked for"
    );
    assert!(
        slack.posts().is_empty(),
        "nothing is posted from half a burst"
    );
    let second = poller(
        config(20, 0, ""),
        stores(),
        slack.clone(),
        board,
        recovering(),
    );
    second
        .run_once(tokio::time::Instant::now() + std::time::Duration::from_secs(300))
        .await;
    assert_exactly_once(&slack, count, "crash between pages");
}

#[tokio::test]
async fn a_crash_between_pages_on_the_memory_store() {
    crash_between_pages(&memory(), 1_010).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_pages_on_the_file_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    crash_between_pages(&file(&dir), 1_010).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_between_pages_on_dynamodb() {
    crash_between_pages(&dynamo().await, 1_010).await;
}

/// DynamoDB applies the run's writes but answers late, so the SDK sends
/// each again and the retry's condition fails: the run must still know its
/// claims are its own and post every action once, in this run, not leave
/// them to wait out the stale-claim horizon.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_store_answers_post_each_action_once_in_the_same_run_on_dynamodb() {
    use switchboard_core::testing::fault::{Fault, FaultProxy};
    let direct = moto::sdk_config().await;
    let table = moto::create_table(&direct).await;
    let seeded = DynamoStore::new(aws_sdk_dynamodb::Client::new(&direct), table.clone());
    seed_cursor(&seeded).await;
    let proxy = FaultProxy::start(&moto::endpoint()).await;
    let aws = moto::production_sdk_config(proxy.url()).await;
    let store: Arc<dyn StateStore> =
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table));
    let count = 4;
    let board = Board::with(count);
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let late = Fault::Delay(std::time::Duration::from_millis(1300));
    proxy.fault("DynamoDB_20120810.PutItem", late, 6);
    let run = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        board,
        quick(),
    );
    let report = run
        .run_once(tokio::time::Instant::now() + std::time::Duration::from_secs(120))
        .await;
    assert_eq!(report.failed, 0, "{report:?}");
    assert_exactly_once(&slack, count, "late store answers");
    assert!(
        proxy.seen("PutItem").iter().filter(|s| s.faulted).count() == 6,
        "six answers were late"
    );
    assert_eq!(
        cursor(&seeded).await.as_deref(),
        Some(id(count - 1).as_str()),
        "the cursor reached the newest action"
    );
}
