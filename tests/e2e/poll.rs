//! The poller the app runs on its schedule, with Trello and Slack faked by
//! wiremock.

use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_tests::config::poller as config;
use switchboard_tests::slack::posted;
use switchboard_tests::trello::{created, fakes};
use switchboard_tests::{eventually, spawn_app_with};

#[tokio::test]
async fn serve_runs_the_poller_on_its_schedule() {
    // Made a few seconds from now: the first pass starts the subscription
    // from now, a later one finds this action and posts it.
    let (trello, slack) = fakes(serde_json::json!([created(now_secs() + 2, 1)])).await;
    let _served = spawn_app_with(&config(&trello.uri(), &slack.uri(), 1)).await;
    let got = eventually(Duration::from_secs(15), async || {
        let posts = posted(&slack).await;
        (!posts.is_empty()).then_some(posts)
    })
    .await
    .expect("the app polled and posted");
    assert_eq!(got.len(), 1);
    assert!(
        got[0]["text"]
            .as_str()
            .is_some_and(|t| t.contains("created"))
    );
}
