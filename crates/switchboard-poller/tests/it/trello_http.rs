//! The poller against Trello's REST API (served by wiremock): a
//! 2,500-action burst past the window, rate limits and outages, and credentials that never
//! reach a log line.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::AtomicUsize;
use std::time::Duration;

use switchboard_core::secrets::Secret;
use switchboard_core::state::{MemoryStore, StateStore};
use switchboard_core::trello::TrelloApi;
use switchboard_core::trello::actions::FILTER;
use tokio::sync::Notify;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{
    BOARD, Board, Captured, SlackSim, TrelloHttp, assert_exactly_once, config, cursor, id, poller,
    quick, seed_cursor,
};

const KEY: &str = "k3y0000000000000000000000000000a";
const TOKEN: &str = "t0ken000000000000000000000000000000000000000000000000000000000b";

async fn trello(board: Arc<Board>, rate_limited: usize) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/1/boards/{BOARD}/actions")))
        .respond_with(TrelloHttp {
            board,
            rate_limited: AtomicUsize::new(rate_limited),
        })
        .mount(&server)
        .await;
    server
}

fn client(server: &MockServer) -> Arc<TrelloApi> {
    Arc::new(TrelloApi::new(
        reqwest::Client::new(),
        &server.uri(),
        Secret::new(KEY),
        Secret::new(TOKEN),
    ))
}

fn soon(secs: u64) -> tokio::time::Instant {
    tokio::time::Instant::now() + Duration::from_secs(secs)
}

#[tokio::test]
async fn a_2500_action_burst_past_the_window_drains_in_two_runs_oldest_first() {
    let board = Board::with(2_500);
    let server = trello(board, 0).await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        client(&server),
        quick(),
    );
    let window = switchboard_poller::WINDOW;

    let first = p.run_once(soon(120)).await;

    let requests = server.received_requests().await.expect("recorded");
    let queries: Vec<BTreeMap<String, String>> = requests
        .iter()
        .map(|r| r.url.query_pairs().into_owned().collect())
        .collect();
    assert_eq!(queries.len(), 3, "pages of 1000, 1000 and 500");
    let since = cursor_before_burst();
    for q in &queries {
        assert_eq!(q["filter"], FILTER);
        assert_eq!(q["since"], since);
        assert_eq!(q["limit"], "1000");
        assert_eq!(q["key"], KEY);
        assert_eq!(q["token"], TOKEN);
    }
    // Each later page starts before the oldest action of the one before;
    // the read reaches the cursor, keeping the oldest window.
    assert_eq!(queries[0].get("before"), None);
    assert_eq!(queries[1]["before"], id(1_500));
    assert_eq!(queries[2]["before"], id(500));
    assert_eq!(first.trello_requests, 3);
    assert_eq!(first.backlogged, 1);
    let done = first.actions_posted;
    assert_eq!(done, window, "{first:?}");
    assert_exactly_once(&slack, done, "the first run posts the oldest");
    assert_eq!(
        cursor(store.as_ref()).await.as_deref(),
        Some(id(done - 1).as_str())
    );
    // One summary; its thread holds replies of 25, oldest first.
    let top = slack.top_level();
    assert_eq!(top.len(), 1);
    assert!(
        top[0]
            .text
            .starts_with(&format!("*{done} Trello updates on Website*")),
        "{}",
        top[0].text
    );
    let replies: Vec<_> = slack
        .posts()
        .into_iter()
        .filter(|p| p.thread_ts.as_deref() == Some(top[0].ts.as_str()))
        .collect();
    assert_eq!(replies.len(), done.div_ceil(25));
    let first_ids = replies[0].metadata.as_ref().expect("metadata").payload["actions"]
        .as_str()
        .expect("ids")
        .to_owned();
    assert!(first_ids.starts_with(&format!("{},{}", id(0), id(1))));

    let second = p.run_once(soon(120)).await;

    assert_eq!(second.backlogged, 0, "{second:?}");
    assert_eq!(second.trello_requests, 1, "500 newer actions are one page");
    assert_eq!(second.actions_posted, 2_500 - done);
    assert_exactly_once(&slack, 2_500, "burst");
    assert_eq!(
        cursor(store.as_ref()).await.as_deref(),
        Some(id(2_499).as_str())
    );
}

fn cursor_before_burst() -> String {
    switchboard_poller::action::ActionId::at(crate::support::BASE_TS - 1).to_string()
}

#[tokio::test]
async fn rate_limits_are_waited_out_within_the_run() {
    let board = Board::with(5);
    let server = trello(board, 3).await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        client(&server),
        quick(),
    );
    let logs = Captured::default();
    let guard = logs.install();

    let report = p.run_once(soon(60)).await;

    drop(guard);
    assert_eq!(report.trello_requests, 4, "three 429s, then the page");
    assert_eq!(report.failed, 0);
    assert_exactly_once(&slack, 5, "after 429s");
    assert!(
        logs.text().contains("API_TOKEN_LIMIT_EXCEEDED"),
        "{}",
        logs.text()
    );
}

#[tokio::test]
async fn an_outage_past_the_deadline_leaves_the_cursor_where_it_was() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
    seed_cursor(store.as_ref()).await;
    let slack = SlackSim::new(Arc::new(Notify::new()));
    let p = poller(
        config(20, 0, ""),
        store.clone(),
        slack.clone(),
        client(&server),
        quick(),
    );

    let report = p
        .run_once(tokio::time::Instant::now() + Duration::from_millis(300))
        .await;

    assert_eq!(report.failed, 1);
    assert!(report.trello_requests >= 3, "it retried: {report:?}");
    assert!(slack.posts().is_empty());
    assert_eq!(cursor(store.as_ref()).await, Some(cursor_before_burst()));
}

#[tokio::test]
async fn the_key_and_token_never_reach_a_log_line() {
    // Trello refusing the token (and echoing the request, as an error page
    // might), failing, and not answering at all.
    let refusing = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(401)
                .set_body_string(format!("invalid token {TOKEN} for key {KEY}")),
        )
        .mount(&refusing)
        .await;
    let failing = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&failing)
        .await;
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        drop(listener);
        format!("http://{addr}")
    };
    let sources: Vec<Arc<TrelloApi>> = vec![
        client(&refusing),
        client(&failing),
        Arc::new(TrelloApi::new(
            reqwest::Client::new(),
            &closed,
            Secret::new(KEY),
            Secret::new(TOKEN),
        )),
    ];

    let logs = Captured::default();
    let guard = logs.install();
    let mut reports = Vec::new();
    for source in sources {
        let store: Arc<dyn StateStore> = Arc::new(MemoryStore::new());
        seed_cursor(store.as_ref()).await;
        let slack = SlackSim::new(Arc::new(Notify::new()));
        let p = poller(config(20, 0, ""), store, slack, source, quick());
        // The 500 and the closed port are retried until the deadline; a
        // second leaves a loaded machine time to reach and log each failure
        // (200 ms once did not).
        reports.push(
            p.run_once(tokio::time::Instant::now() + Duration::from_secs(1))
                .await,
        );
    }
    drop(guard);

    let text = logs.text();
    assert!(reports.iter().all(|r| r.failed == 1), "{reports:?}");
    assert!(
        text.contains("HTTP 401 invalid token *** for key ***"),
        "{text}"
    );
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(text.contains("error sending request"), "{text}");
    assert!(!text.contains(KEY), "the key leaked:\n{text}");
    assert!(!text.contains(TOKEN), "the token leaked:\n{text}");
    assert!(
        !text.contains("token=t0ken"),
        "a URL with the token leaked:\n{text}"
    );
}
