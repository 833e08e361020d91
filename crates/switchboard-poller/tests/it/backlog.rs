//! A backlog longer than a run reads: each run holds at most a window of
//! actions, posts the oldest first, and moves the cursor; successive runs
//! drain it with nothing lost and nothing posted twice, also while new
//! actions arrive, when runs overlap and when a run is killed.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::state::{MemoryStore, StateStore};
use switchboard_poller::{Poller, Report, Tuning};
use tokio::sync::Notify;

use crate::support::{
    BASE_TS, Board, CrashAt, CrashStore, SlackSim, action, assert_exactly_once, config, cursor, id,
    poller, quick, recovering, run_or_crash, seed_cursor,
};

/// Small pages and a small window, so a few hundred actions are a backlog.
const PAGE: usize = 10;
const WINDOW: usize = 40;

fn small(base: Tuning) -> Tuning {
    Tuning {
        window: WINDOW,
        page_limit: PAGE,
        ..base
    }
}

fn soon() -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(600)
}

/// Action ids in the order Slack received them (thread replies and single
/// posts; summaries name no actions).
fn posted_in_order(slack: &SlackSim) -> Vec<String> {
    slack
        .posts()
        .iter()
        .filter_map(|p| p.metadata.as_ref()?.payload["actions"].as_str())
        .flat_map(|ids| ids.split(',').map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// Runs `p` until a run reports no backlog and posts nothing; returns each
/// run's report. Fails if that takes more than `most` runs.
async fn drain(p: &Poller, most: usize) -> Vec<Report> {
    let mut reports = Vec::new();
    for _ in 0..most {
        let report = p.run_once(soon()).await;
        assert_eq!(report.failed, 0, "{report:?}");
        let done = report.backlogged == 0 && report.actions_posted == 0;
        reports.push(report);
        if done {
            return reports;
        }
    }
    panic!("not drained in {most} runs: {reports:?}");
}

#[tokio::test]
async fn a_backlog_longer_than_the_window_drains_oldest_first_over_several_runs() {
    let count = 500;
    let board = Board::with(count);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        board.clone(),
        small(quick()),
    );

    let reports = drain(&p, 100).await;

    // Each run posts the oldest window and reads back to the cursor.
    let mut left = count;
    for r in &reports {
        assert_eq!(r.actions_posted, left.min(WINDOW), "{r:?}");
        assert_eq!(r.trello_requests, left / PAGE + 1, "{r:?}");
        left -= r.actions_posted;
    }
    let busy = reports.iter().filter(|r| r.actions_posted > 0).count();
    assert_eq!(busy, count.div_ceil(WINDOW));
    assert!(
        reports[..busy - 1].iter().all(|r| r.backlogged == 1),
        "every run but the last says more is waiting"
    );
    assert_exactly_once(&slack, count, "backlog");
    assert_eq!(
        posted_in_order(&slack),
        (0..count).map(id).collect::<Vec<_>>()
    );
    assert_eq!(cursor(store.as_ref()).await, Some(id(count - 1)));
    // Twelve windows of 40 are over the threshold and get a summary each
    // (keyed by its own first action); the last 20 go one by one.
    let summaries = slack
        .top_level()
        .iter()
        .filter(|p| {
            p.metadata
                .as_ref()
                .is_some_and(|m| m.payload.get("summary").is_some())
        })
        .count();
    assert_eq!(summaries, count / WINDOW);
}

#[tokio::test]
async fn actions_that_arrive_during_the_drain_follow_the_backlog() {
    let count = 300;
    let board = Board::with(count);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        board.clone(),
        small(quick()),
    );

    // Three new actions land on the board after each of the first runs.
    let mut total = count;
    for _ in 0..4 {
        let report = p.run_once(soon()).await;
        assert_eq!((report.failed, report.backlogged), (0, 1), "{report:?}");
        for _ in 0..3 {
            board.push(action(total));
            total += 1;
        }
    }
    drain(&p, 100).await;

    assert_exactly_once(&slack, total, "arrivals");
    assert_eq!(
        posted_in_order(&slack),
        (0..total).map(id).collect::<Vec<_>>()
    );
    assert_eq!(cursor(store.as_ref()).await, Some(id(total - 1)));
}

#[tokio::test]
async fn a_burst_packed_into_one_second_drains_in_id_order() {
    // 400 actions in one second, spaced unevenly (closer and closer): the
    // window is cut by id, whatever the times.
    let board = Arc::new(Board::default());
    let ids: Vec<String> = (0..400u64)
        .map(|n| format!("{:08x}{:016x}", BASE_TS, (1 << 40) - (400 - n).pow(4)))
        .collect();
    for (n, want) in ids.iter().enumerate() {
        let mut a = action(n);
        a["id"] = want.clone().into();
        board.push(a);
    }
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store,
        slack.clone(),
        board.clone(),
        small(quick()),
    );

    let reports = drain(&p, 100).await;

    assert_eq!(
        reports.len(),
        400 / WINDOW + 1,
        "and one that finds nothing"
    );
    assert_eq!(posted_in_order(&slack), ids);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn overlapping_runs_drain_a_backlog_posting_each_action_once() {
    let count = 400;
    let board = Board::with(count);
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let make = || {
        poller(
            config(20, 0, ""),
            store.clone(),
            slack.clone(),
            board.clone(),
            small(quick()),
        )
    };
    // Three runs at a time, each scheduled tick, until the board is drained.
    for _ in 0..100 {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..3 {
            let p = make();
            tasks.spawn(async move { p.run_once(soon()).await });
        }
        let mut more = false;
        while let Some(r) = tasks.join_next().await {
            let r = r.expect("run");
            assert_eq!(r.failed, 0, "{r:?}");
            more |= r.backlogged > 0 || r.deferred > 0;
        }
        if !more && cursor(store.as_ref()).await == Some(id(count - 1)) {
            break;
        }
    }
    assert_exactly_once(&slack, count, "overlapping drain");
    assert_eq!(cursor(store.as_ref()).await, Some(id(count - 1)));
}

#[tokio::test]
async fn a_run_killed_anywhere_in_a_windowed_read_loses_and_repeats_nothing() {
    let count = 120;
    // How many store operations one clean windowed run makes.
    let ops = {
        let inner: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        seed_cursor(inner.as_ref()).await;
        let crash = Arc::new(Notify::new());
        let store = CrashStore::new(inner, CrashAt::Never, crash.clone());
        let p = poller(
            config(20, 0, ""),
            store.clone(),
            SlackSim::new(crash),
            Board::with(count),
            small(quick()),
        );
        let report = p.run_once(soon()).await;
        assert_eq!(report.backlogged, 1, "{report:?}");
        store.ops()
    };
    for k in (0..ops).step_by(3).chain([ops - 1]) {
        let shared: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        seed_cursor(shared.as_ref()).await;
        let board = Board::with(count);
        let crash = Arc::new(Notify::new());
        let slack = SlackSim::new(crash.clone());
        let first = poller(
            config(20, 0, ""),
            CrashStore::new(shared.clone(), CrashAt::Op(k), crash.clone()),
            slack.clone(),
            board.clone(),
            small(quick()),
        );
        assert!(run_or_crash(&first, &crash).await, "op {k} of {ops}");
        drop(first);
        let after = poller(
            config(20, 0, ""),
            shared.clone(),
            slack.clone(),
            board,
            small(recovering()),
        );
        drain(&after, 100).await;
        assert_exactly_once(&slack, count, &format!("killed at op {k}"));
        assert_eq!(cursor(shared.as_ref()).await, Some(id(count - 1)));
    }
}
