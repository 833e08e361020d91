//! `/example trello subscribe|list|unsubscribe` through the app, with
//! Trello and Slack faked by wiremock: the board is checked before it is
//! stored, the poller the app runs posts the channel's new board actions
//! (and nothing older), and an unsubscribed board posts no more.

use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_tests::config::{self as configs, STATE};
use switchboard_tests::secrets::{TRELLO_KEY, TRELLO_TOKEN};
use switchboard_tests::slack::posted;
use switchboard_tests::trello::{BOARD, created};
use switchboard_tests::{TestApp, eventually, reply, spawn_app_with};
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HOOK: &str = "http://127.0.0.1:9/unused-response-url";

/// The config: one Trello tracker, `trello` allowed for UANN, a poll a
/// second, and `subscriptions` as `[[poller.subscriptions]]` entries.
fn config(trello: &str, slack: &str, subscriptions: &[(&str, &str)]) -> String {
    let mut text = format!(
        "{}[commands.trello]\nallow_users = [\"UANN\"]\n{STATE}",
        configs::trello(trello, slack, "every_seconds = 1\npost_interval_ms = 0\n")
    );
    for (board, channel) in subscriptions {
        text.push_str(&format!(
            "[[poller.subscriptions]]\nboard = \"{board}\"\nchannel = \"{channel}\"\n"
        ));
    }
    text
}

/// Trello and Slack as `trello::fakes` makes them, with BOARD readable and
/// two boards the token cannot read.
async fn fakes(actions: serde_json::Value) -> (MockServer, MockServer) {
    let (trello, slack) = switchboard_tests::trello::fakes(actions).await;
    Mock::given(method("GET"))
        .and(path(format!("/1/boards/{BOARD}")))
        .and(query_param("key", TRELLO_KEY))
        .and(query_param("token", TRELLO_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({ "name": "Website", "url": "https://trello.com/b/aBcD1234/website" }),
        ))
        .mount(&trello)
        .await;
    for (board, status, body) in [
        ("gone1234", 404, "The requested resource was not found."),
        ("priv1234", 401, "unauthorized permission requested"),
    ] {
        Mock::given(method("GET"))
            .and(path(format!("/1/boards/{board}")))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&trello)
            .await;
    }
    (trello, slack)
}

/// (channel, text) of every chat.postMessage so far.
async fn posts(slack: &MockServer) -> Vec<(String, String)> {
    posted(slack)
        .await
        .iter()
        .map(|v| {
            (
                v["channel"].as_str().unwrap_or_default().to_owned(),
                v["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The texts posted to `channel` so far.
async fn posted_to(slack: &MockServer, channel: &str) -> Vec<String> {
    posts(slack)
        .await
        .into_iter()
        .filter(|(c, _)| c == channel)
        .map(|(_, t)| t)
        .collect()
}

/// How many times Trello was asked for a board (not its actions).
async fn board_reads(trello: &MockServer, board: &str) -> usize {
    trello
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == format!("/1/boards/{board}"))
        .count()
}

async fn say(served: &TestApp, text: &str, user: &str, channel: &str) -> (String, String) {
    let (status, body) = served.command(text, user, channel, HOOK).await;
    assert_eq!(status, 200, "{text}: {body}");
    reply(&body)
}

/// UANN, on the allowlist, types `text` in C0TEAM.
async fn ann(served: &TestApp, text: &str) -> (String, String) {
    say(served, text, "UANN", "C0TEAM").await
}

/// `trello list` in C0TEAM finds nothing.
async fn assert_no_boards(served: &TestApp) {
    let (_, list) = ann(served, "trello list").await;
    assert!(
        list.contains("No Trello boards post to this channel"),
        "{list}"
    );
}

fn stored_anything(served: &TestApp) -> bool {
    std::fs::read_to_string(served.state_path())
        .unwrap_or_default()
        .contains("trello-sub")
}

#[tokio::test]
async fn a_channel_subscribes_gets_new_actions_only_and_unsubscribes() {
    let t0 = now_secs();
    // Card 1 predates the subscription; Card 2 comes a few seconds after it.
    let (trello, slack) = fakes(serde_json::json!([created(t0 + 4, 2), created(t0 - 60, 1)])).await;
    // The config's own subscription of the board elsewhere shows the poller
    // keeps running after the unsubscribe.
    let served = spawn_app_with(&config(&trello.uri(), &slack.uri(), &[(BOARD, "C0CONF")])).await;

    let (kind, text) = ann(
        &served,
        &format!("trello subscribe {BOARD} --lists 'To Do'"),
    )
    .await;
    assert_eq!(kind, "in_channel", "{text}");
    assert!(
        text.contains("subscribed this channel") && text.contains("*Website*"),
        "{text}"
    );
    assert_eq!(
        board_reads(&trello, BOARD).await,
        1,
        "the board was checked"
    );

    let (_, list) = ann(&served, "trello list").await;
    assert!(list.contains(&format!("`{BOARD}`")), "{list}");
    assert!(list.contains("added by <@UANN> on "), "{list}");
    assert!(list.contains("in To Do"), "{list}");
    assert!(!list.contains("config"), "{list}");

    let got = eventually(Duration::from_secs(20), async || {
        let here = posted_to(&slack, "C0TEAM").await;
        (!here.is_empty()).then_some(here)
    })
    .await
    .expect("the channel-made subscription posted");
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].contains("Card 2"), "{got:?}");
    assert!(
        posts(&slack)
            .await
            .iter()
            .all(|(_, t)| !t.contains("Card 1")),
        "nothing older than the subscription"
    );

    let (kind, text) = ann(&served, &format!("trello unsubscribe {BOARD}")).await;
    assert_eq!(kind, "in_channel", "{text}");
    assert!(text.contains("unsubscribed"), "{text}");
    assert_no_boards(&served).await;

    // A newer action reaches the config's channel, and not this one.
    Mock::given(method("GET"))
        .and(path(format!("/1/boards/{BOARD}/actions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([
            created(now_secs() + 2, 3),
            created(t0 + 4, 2),
        ])))
        .with_priority(1)
        .mount(&trello)
        .await;
    eventually(Duration::from_secs(20), async || {
        let there = posted_to(&slack, "C0CONF").await;
        there.iter().any(|t| t.contains("Card 3")).then_some(())
    })
    .await
    .expect("the poller went on posting the config's subscription");
    // One more pass, in case this channel's post would come after.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let here = posted_to(&slack, "C0TEAM").await;
    assert_eq!(here.len(), 1, "nothing after the unsubscribe: {here:?}");
}

#[tokio::test]
async fn a_board_trello_refuses_is_not_stored_and_the_reason_is_given() {
    let (trello, slack) = fakes(serde_json::json!([])).await;
    let served = spawn_app_with(&config(&trello.uri(), &slack.uri(), &[])).await;
    for (board, status) in [("gone1234", 404), ("priv1234", 401)] {
        let (kind, text) = ann(&served, &format!("trello subscribe {board}")).await;
        assert_eq!(kind, "ephemeral", "{text}");
        let why = format!(
            "Trello says the board does not exist or this token cannot read it (HTTP {status})"
        );
        assert!(text.contains(&why), "{text}");
        assert_eq!(board_reads(&trello, board).await, 1);
    }
    assert_no_boards(&served).await;
    assert!(!stored_anything(&served));
}

#[tokio::test]
async fn someone_off_the_allowlist_is_refused_and_nothing_is_stored() {
    let (trello, slack) = fakes(serde_json::json!([])).await;
    let served = spawn_app_with(&config(&trello.uri(), &slack.uri(), &[])).await;
    let (kind, text) = say(
        &served,
        &format!("trello subscribe {BOARD}"),
        "UBOB",
        "C0TEAM",
    )
    .await;
    assert_eq!(kind, "ephemeral");
    assert!(
        text.contains("You are not allowed to run `trello`"),
        "{text}"
    );
    assert_eq!(board_reads(&trello, BOARD).await, 0, "Trello was not asked");
    assert!(!stored_anything(&served));
    assert_no_boards(&served).await;
    // The refusal is in the audit log like any command's.
    let state = std::fs::read_to_string(served.state_path()).unwrap_or_default();
    assert!(
        state
            .lines()
            .any(|l| l.contains("audit#") && l.contains("UBOB") && l.contains("denied")),
        "{state}"
    );
}

#[tokio::test]
async fn the_configs_subscription_wins_and_list_says_it_is_the_configs() {
    let (trello, slack) = fakes(serde_json::json!([])).await;
    let served = spawn_app_with(&config(&trello.uri(), &slack.uri(), &[(BOARD, "C0TEAM")])).await;
    for (text, says) in [
        (
            format!("trello subscribe {BOARD} --actions commentCard"),
            "already posts here from the config",
        ),
        (
            format!("trello unsubscribe {BOARD}"),
            "posts here from the config",
        ),
    ] {
        let (kind, reply) = ann(&served, &text).await;
        assert_eq!(kind, "ephemeral", "{reply}");
        assert!(reply.contains(says), "{text}: {reply}");
    }
    let (_, list) = ann(&served, "trello list").await;
    let lines: Vec<&str> = list.lines().filter(|l| l.contains(BOARD)).collect();
    assert_eq!(lines.len(), 1, "{list}");
    assert!(lines[0].ends_with("— config"), "{list}");
    assert!(!stored_anything(&served));
}
