use super::*;
use wiremock::matchers::{body_partial_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn api(server: &MockServer) -> SlackWebApi {
    SlackWebApi::new(http_client(), &server.uri(), Some(Secret::new("xoxb-test")))
}

fn channel() -> ChannelId {
    ChannelId::parse("C123").expect("channel")
}

#[tokio::test]
async fn posts_with_the_bot_token_and_returns_ts() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(header("authorization", "Bearer xoxb-test"))
        .and(body_partial_json(
            serde_json::json!({"channel": "C123", "text": "hi"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"ok": true, "channel": "C123", "ts": "1503435956.000247"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let ts = api(&server)
        .post_message(&channel(), &Message::in_channel("hi"))
        .await
        .expect("posted");
    assert_eq!(ts, "1503435956.000247");
}

#[tokio::test]
async fn honours_retry_after_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true, "ts": "1.2"})),
        )
        .mount(&server)
        .await;
    let started = std::time::Instant::now();
    let ts = api(&server)
        .post_message(&channel(), &Message::in_channel("hi"))
        .await
        .expect("posted after waiting");
    assert_eq!(ts, "1.2");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
}

#[tokio::test]
async fn gives_up_when_retry_after_is_too_long() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "120"))
        .mount(&server)
        .await;
    let err = api(&server)
        .post_message(&channel(), &Message::in_channel("hi"))
        .await
        .expect_err("rate limited");
    assert!(matches!(err, ChatError::RateLimited(_)), "{err:?}");
}

#[tokio::test]
async fn reports_ok_false_and_5xx() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": false, "error": "channel_not_found"})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/conversations.open"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let err = api(&server)
        .post_message(&channel(), &Message::in_channel("hi"))
        .await
        .expect_err("not found");
    assert_eq!(
        err.to_string(),
        "Slack refused chat.postMessage: channel_not_found"
    );
    let err = api(&server)
        .open_dm(&UserId::parse("U1").expect("user"))
        .await
        .expect_err("503");
    assert!(
        matches!(err, ChatError::Status { status: 503, .. }),
        "{err:?}"
    );
}

#[tokio::test]
async fn times_out_a_slow_slack() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let http = reqwest::Client::builder()
        .timeout(Duration::from_millis(300))
        .build()
        .expect("client");
    let api = SlackWebApi::new(http, &server.uri(), Some(Secret::new("x")));
    let err = api
        .post_message(&channel(), &Message::in_channel("hi"))
        .await
        .expect_err("timeout");
    assert!(matches!(err, ChatError::Transport { .. }), "{err:?}");
}

#[tokio::test]
async fn opens_dms_and_looks_up_users() {
    let server = MockServer::start().await;
    Mock::given(path("/conversations.open"))
        .and(body_partial_json(serde_json::json!({"users": "U1"})))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": true, "channel": {"id": "D069C7QFK"}})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/users.lookupByEmail"))
        .and(wiremock::matchers::body_string("email=a%40example.com"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": true, "user": {"id": "W012A3CDE"}})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/users.lookupByEmail"))
        .and(wiremock::matchers::body_string(
            "email=nobody%40example.com",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": false, "error": "users_not_found"})),
        )
        .mount(&server)
        .await;
    let api = api(&server);
    let dm = api
        .open_dm(&UserId::parse("U1").expect("user"))
        .await
        .expect("dm");
    assert_eq!(dm.as_str(), "D069C7QFK");
    let found = api
        .lookup_user_by_email("a@example.com")
        .await
        .expect("lookup");
    assert_eq!(found.map(|u| u.to_string()).as_deref(), Some("W012A3CDE"));
    assert_eq!(
        api.lookup_user_by_email("nobody@example.com")
            .await
            .expect("lookup"),
        None
    );
}

#[tokio::test]
async fn unfurls_by_id_or_by_message() {
    let server = MockServer::start().await;
    Mock::given(path("/chat.unfurl"))
        .and(body_partial_json(serde_json::json!({
            "unfurl_id": "C123.456.link",
            "source": "conversations_history",
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/chat.unfurl"))
        .and(body_partial_json(
            serde_json::json!({"channel": "C123", "ts": "1.2"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .expect(1)
        .mount(&server)
        .await;
    let card = Card {
        title: "#1 x".into(),
        url: "https://t/ticket/1".into(),
        ..Card::default()
    };
    let cards = vec![("https://t/ticket/1".to_string(), card)];
    let api = api(&server);
    api.unfurl(
        &UnfurlTarget::Id {
            unfurl_id: "C123.456.link".into(),
            source: "conversations_history".into(),
        },
        &cards,
    )
    .await
    .expect("by id");
    api.unfurl(
        &UnfurlTarget::Message {
            channel: "C123".into(),
            ts: "1.2".into(),
        },
        &cards,
    )
    .await
    .expect("by message");
    let sent = server.received_requests().await.unwrap_or_default();
    let body: serde_json::Value = serde_json::from_slice(&sent[0].body).expect("json");
    assert_eq!(
        body["unfurls"]["https://t/ticket/1"]["blocks"][0]["type"],
        "section"
    );
}

#[tokio::test]
async fn posts_blocks_threads_and_metadata() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/chat.postMessage"))
        .and(body_partial_json(serde_json::json!({
            "channel": "C123",
            "thread_ts": "1.5",
            "metadata": { "event_type": "sb", "event_payload": { "id": "x" } },
        })))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({ "ok": true, "ts": "2.5" })),
        )
        .expect(1)
        .mount(&server)
        .await;
    let msg = Message::in_channel("t")
        .in_thread("1.5")
        .with_metadata("sb", serde_json::json!({ "id": "x" }));
    let ts = api(&server)
        .post_message(&channel(), &msg)
        .await
        .expect("posted");
    assert_eq!(ts, "2.5");
}

#[tokio::test]
async fn reads_history_across_pages_with_metadata() {
    use wiremock::matchers::body_string_contains;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/conversations.history"))
        .and(body_string_contains("cursor=next1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "ok": true,
            "messages": [{ "ts": "1.0", "text": "old" }],
            "response_metadata": { "next_cursor": "" },
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/conversations.history"))
        .and(body_string_contains("include_all_metadata=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "ok": true,
            "messages": [{
                "ts": "2.0",
                "metadata": { "event_type": "sb", "event_payload": { "id": "a" } },
            }],
            "response_metadata": { "next_cursor": "next1" },
        })))
        .mount(&server)
        .await;
    let got = api(&server)
        .history(&channel(), Some("0.5"), 10)
        .await
        .expect("history");
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].ts, "2.0");
    let meta = got[0].metadata.as_ref().expect("metadata");
    assert_eq!(meta.payload["id"], "a");
    assert!(got[1].metadata.is_none());
}

#[tokio::test]
async fn auth_test_names_the_workspace_and_bot() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/auth.test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "ok": true, "team": "Acme", "user": "switchboard", "user_id": "U0BOT",
        })))
        .mount(&server)
        .await;
    assert_eq!(
        api(&server).auth_test().await.expect("ok"),
        ("Acme".to_owned(), "switchboard".to_owned())
    );
}

#[tokio::test]
async fn reads_a_thread_with_metadata() {
    use wiremock::matchers::body_string_contains;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/conversations.replies"))
        .and(body_string_contains("ts=1.5"))
        .and(body_string_contains("include_all_metadata=true"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
            "ok": true,
            "messages": [
                { "ts": "1.5", "thread_ts": "1.5" },
                {
                    "ts": "1.6",
                    "thread_ts": "1.5",
                    "metadata": { "event_type": "sb", "event_payload": { "ids": "a,b" } },
                },
            ],
            "has_more": false,
        })))
        .expect(1)
        .mount(&server)
        .await;
    let got = api(&server)
        .replies(
            Posted {
                channel: &channel(),
                ts: "1.5",
            },
            50,
        )
        .await
        .expect("replies");
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].thread_ts.as_deref(), Some("1.5"));
    let meta = got[1].metadata.as_ref().expect("metadata");
    assert_eq!(meta.payload["ids"], "a,b");
}

#[tokio::test]
async fn without_a_token_it_says_so() {
    let api = SlackWebApi::new(http_client(), "http://127.0.0.1:9", None);
    let err = api
        .post_message(&channel(), &Message::in_channel("hi"))
        .await
        .expect_err("no token");
    assert!(err.to_string().contains("SLACK_BOT_TOKEN"));
}

#[tokio::test]
async fn response_url_posts_and_notices_expiry() {
    let server = MockServer::start().await;
    Mock::given(path("/hook/ok"))
        .and(body_partial_json(
            serde_json::json!({"response_type": "in_channel", "text": "done"}),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/hook/expired"))
        .respond_with(ResponseTemplate::new(404))
        .mount(&server)
        .await;
    let api = api(&server);
    let ok = ResponseUrl::parse(&format!("{}/hook/ok", server.uri())).expect("url");
    api.respond(&ok, &Message::in_channel("done"))
        .await
        .expect("posted");
    let expired = ResponseUrl::parse(&format!("{}/hook/expired", server.uri())).expect("url");
    assert!(matches!(
        api.respond(&expired, &Message::in_channel("late")).await,
        Err(ChatError::ResponseUrlSpent)
    ));
}
