//! `POST /slack/events` through the app: a real Trac JSON-RPC wire format
//! (recorded fixtures) behind wiremock, and a fake Slack that records
//! `chat.unfurl`.

use std::time::Duration;

use switchboard_tests::config::unfurl as config;
use switchboard_tests::slack::{unfurl_calls, unfurls as slack_server};
use switchboard_tests::trac::{link_shared, server as trac_server};
use switchboard_tests::{eventually, spawn_app_with};

#[tokio::test]
async fn answers_slacks_url_verification() {
    let served = spawn_app_with(&config("http://127.0.0.1:9", "http://127.0.0.1:9", 1000)).await;
    let (status, body) = served
        .event(r#"{"token":"x","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#, None)
        .await;
    assert_eq!(status, 200);
    assert!(
        body.contains("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"),
        "{body}"
    );
}

#[tokio::test]
async fn a_ticket_link_and_a_comment_link_become_cards() {
    let trac = trac_server(Duration::ZERO).await;
    let slack = slack_server().await;
    let served = spawn_app_with(&config(&trac.uri(), &slack.uri(), 2000)).await;
    let ticket = format!("{}/ticket/1", trac.uri());
    let comment = format!("{}/ticket/1#comment:3", trac.uri());
    let (status, _) = served
        .event(
            &link_shared("Ev0001", &[ticket.clone(), comment.clone()]),
            None,
        )
        .await;
    assert_eq!(status, 200);

    let calls = unfurl_calls(&slack).await;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let call = &calls[0];
    assert_eq!(call["unfurl_id"], "C0ROOM.1795000000.000100.abc");
    assert_eq!(call["source"], "conversations_history");
    let card = call["unfurls"][&ticket]["blocks"].to_string();
    assert!(card.contains("Checkout page times out"), "{card}");
    assert!(
        card.contains("accepted") && card.contains("alice") && card.contains("blocker"),
        "{card}"
    );
    let reply = call["unfurls"][&comment]["blocks"].to_string();
    assert!(
        reply.contains("Comment 3") && reply.contains("SEPA mandate call"),
        "{reply}"
    );
}

#[tokio::test]
async fn a_retry_storm_unfurls_exactly_once() {
    let trac = trac_server(Duration::from_millis(50)).await;
    let slack = slack_server().await;
    // No repeat window: only the event-id claim may stop the duplicates.
    let served = spawn_app_with(
        &config(&trac.uri(), &slack.uri(), 2000)
            .replace("[unfurl]\n", "[unfurl]\nrepeat_minutes = 0\n"),
    )
    .await;
    let body = link_shared("Ev0002", &[format!("{}/ticket/1", trac.uri())]);
    let (a, b, c, d) = tokio::join!(
        served.event(&body, None),
        served.event(&body, Some(1)),
        served.event(&body, Some(2)),
        served.event(&body, Some(3)),
    );
    assert!([a, b, c, d].iter().all(|(status, _)| *status == 200));
    // Later retries too are answered and ignored.
    assert_eq!(served.event(&body, Some(3)).await.0, 200);
    assert_eq!(unfurl_calls(&slack).await.len(), 1);
    let fetched = trac.received_requests().await.unwrap_or_default().len();
    assert_eq!(fetched, 1, "the tracker was asked once");
}

#[tokio::test]
async fn a_slow_tracker_gets_no_card_and_slack_hears_back_in_time() {
    let trac = trac_server(Duration::from_secs(10)).await;
    let slack = slack_server().await;
    let served = spawn_app_with(&config(&trac.uri(), &slack.uri(), 500)).await;
    let started = std::time::Instant::now();
    let (status, _) = served
        .event(
            &link_shared("Ev0003", &[format!("{}/ticket/1", trac.uri())]),
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    let none = eventually(Duration::from_millis(300), async || {
        let calls = unfurl_calls(&slack).await;
        (!calls.is_empty()).then_some(calls)
    })
    .await;
    assert!(
        none.is_none(),
        "no card for a tracker that missed the budget: {none:?}"
    );
}
