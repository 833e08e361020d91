//! Socket Mode through `serve`: a stand-in for Slack's side of the
//! protocol (`apps.connections.open` on wiremock, a WebSocket server that
//! says `hello`, sends envelopes and reads acks), driving the real binary.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use switchboard_core::audit;
use switchboard_core::ids::UserId;
use switchboard_core::ledger;
use switchboard_core::state::FileStore;
use switchboard_tests::{config as configs, slack as stand_in, trac};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::doctor::run_doctor;
use crate::harness::{Served, eventually, hook_texts};

const APP_TOKEN: &str = "xapp-1-A0SOCK-1234567890-integration-app-token";
/// Slack answers an ack later than this with a retry; ours must beat it.
const ACK_LIMIT: Duration = Duration::from_secs(3);

/// Slack's side: the Web API (wiremock) and the Socket Mode server.
struct FakeSlack {
    api: MockServer,
    opened: Arc<AtomicUsize>,
    /// The most connections that were open at once.
    peak: Arc<AtomicUsize>,
    sockets: mpsc::UnboundedReceiver<Peer>,
}

/// One accepted Socket Mode connection, after `hello`. A relay task owns
/// the socket, so the fake sees a close the moment it happens.
struct Peer {
    to_client: mpsc::UnboundedSender<Message>,
    from_client: mpsc::UnboundedReceiver<Message>,
    /// The path and query the client connected to.
    path: String,
}

impl FakeSlack {
    // tungstenite's handshake callback fixes the closure's error type.
    #[allow(clippy::result_large_err)]
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, sockets) = mpsc::unbounded_channel();
        let live = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let top = peak.clone();
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (tx, live, top) = (tx.clone(), live.clone(), top.clone());
                tokio::spawn(async move {
                    // Counted at the TCP accept, before the handshake lets
                    // the client go on; a close already sent is counted out.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    top.fetch_max(live.load(Ordering::SeqCst) + 1, Ordering::SeqCst);
                    let mut path = String::new();
                    let accepted = tokio_tungstenite::accept_hdr_async(
                        tcp,
                        |req: &Request, resp: Response| {
                            path = req.uri().to_string();
                            Ok(resp)
                        },
                    )
                    .await;
                    let Ok(ws) = accepted else { return };
                    live.fetch_add(1, Ordering::SeqCst);
                    let (to_client, outbox) = mpsc::unbounded_channel();
                    let (inbox, from_client) = mpsc::unbounded_channel();
                    let hello = serde_json::json!({
                        "type": "hello", "num_connections": 1,
                        "debug_info": {"host": "applink-test"},
                        "connection_info": {"app_id": "A0SOCK"}
                    });
                    let _ = to_client.send(Message::text(hello.to_string()));
                    let _ = tx.send(Peer {
                        to_client,
                        from_client,
                        path,
                    });
                    relay(ws, outbox, inbox).await;
                    live.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        let api = stand_in::unfurls().await;
        Mock::given(method("POST"))
            .and(path("/hook"))
            .respond_with(ResponseTemplate::new(200))
            .mount(&api)
            .await;
        let opened = Arc::new(AtomicUsize::new(0));
        let count = opened.clone();
        // Only the app token opens a connection, each with a new ticket.
        Mock::given(method("POST"))
            .and(path("/apps.connections.open"))
            .and(header("authorization", format!("Bearer {APP_TOKEN}")))
            .respond_with(move |_: &wiremock::Request| {
                let n = count.fetch_add(1, Ordering::SeqCst) + 1;
                ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": true,
                    "url": format!("ws://{addr}/link?ticket=TICKET-{n}-secret"),
                }))
            })
            .mount(&api)
            .await;
        Mock::given(method("POST"))
            .and(path("/apps.connections.open"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({"ok": false, "error": "invalid_auth"})),
            )
            .mount(&api)
            .await;
        Self {
            api,
            opened,
            peak,
            sockets,
        }
    }

    async fn next_socket(&mut self) -> Peer {
        tokio::time::timeout(Duration::from_secs(10), self.sockets.recv())
            .await
            .expect("serve connected in time")
            .expect("socket server running")
    }

    fn opened(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }
}

/// Passes frames between the socket and its `Peer` until either side
/// ends; a dropped `Peer` drops the connection without a close frame.
async fn relay(
    mut ws: WebSocketStream<TcpStream>,
    mut outbox: mpsc::UnboundedReceiver<Message>,
    inbox: mpsc::UnboundedSender<Message>,
) {
    loop {
        tokio::select! {
            frame = ws.next() => match frame {
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(m)) => {
                    let _ = inbox.send(m);
                }
            },
            out = outbox.recv() => match out {
                Some(m) => {
                    if ws.send(m).await.is_err() {
                        return;
                    }
                }
                None => return,
            },
        }
    }
}

impl Peer {
    async fn send(&mut self, frame: serde_json::Value) {
        self.to_client
            .send(Message::text(frame.to_string()))
            .expect("the socket is open");
    }

    /// Sends a close frame, as Slack does when it retires a socket.
    fn close(&self) {
        let _ = self.to_client.send(Message::Close(None));
    }

    /// Sends an envelope; returns its ack and how long the ack took.
    async fn round_trip(&mut self, envelope: serde_json::Value) -> (serde_json::Value, Duration) {
        let id = envelope["envelope_id"].clone();
        let sent = Instant::now();
        self.send(envelope).await;
        loop {
            let next = tokio::time::timeout(Duration::from_secs(10), self.from_client.recv())
                .await
                .expect("an ack in time");
            match next {
                Some(Message::Text(text)) => {
                    let frame: serde_json::Value =
                        serde_json::from_str(text.as_str()).expect("JSON");
                    if frame["envelope_id"] == id {
                        return (frame, sent.elapsed());
                    }
                }
                Some(_) => {}
                None => panic!("the socket closed before the ack"),
            }
        }
    }

    /// Whether the client closes this socket within `limit`.
    async fn closed_within(&mut self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match tokio::time::timeout(left, self.from_client.recv()).await {
                Err(_) => return false,
                Ok(None) => return true,
                Ok(Some(_)) => {}
            }
        }
        false
    }
}

fn config(trac: &str, slack: &str) -> String {
    format!(
        "{}[commands.help]\npublic = true\n",
        configs::unfurl(trac, slack, 2000)
    )
}

fn command(envelope_id: &str, user: &str, text: &str, response_url: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "slash_commands", "envelope_id": envelope_id, "accepts_response_payload": true,
        "payload": {
            "token": "unused", "team_id": "T0001", "team_domain": "acme",
            "channel_id": "C0SOCK", "channel_name": "ops", "user_id": user, "user_name": "tester",
            "command": "/example", "text": text, "api_app_id": "A0SOCK",
            "is_enterprise_install": "false", "response_url": response_url, "trigger_id": "1.2.3"
        }
    })
}

fn usage_in(ack: &serde_json::Value) -> bool {
    ack["payload"]["text"]
        .as_str()
        .is_some_and(|t| t.contains("Usage:"))
}

async fn audited(served: &Served, user: &str) -> usize {
    let Ok(store) = FileStore::open(&served.state_path()) else {
        return 0;
    };
    audit::recent(&store, 100)
        .await
        .unwrap_or_default()
        .iter()
        .filter(|e| e.user == user)
        .count()
}

#[tokio::test]
async fn a_command_is_answered_in_its_ack_without_a_signing_secret() {
    let mut slack = FakeSlack::start().await;
    // Socket Mode needs no signing secret: serve signs with a dev one.
    let served = Served::with_env(
        &config("http://127.0.0.1:9", &slack.api.uri()),
        &[("SLACK_APP_TOKEN", APP_TOKEN), ("SLACK_SIGNING_SECRET", "")],
    );
    let mut socket = slack.next_socket().await;
    assert!(
        socket.path.contains("ticket=TICKET-1-secret"),
        "{}",
        socket.path
    );
    let (ack, took) = socket
        .round_trip(command(
            "Env-cmd-1",
            "U0CMD",
            "help",
            "http://127.0.0.1:9/x",
        ))
        .await;
    assert!(took < ACK_LIMIT, "ack took {took:?}");
    assert!(usage_in(&ack), "{ack}");
    assert_eq!(ack["payload"]["response_type"], "ephemeral", "{ack}");
    assert_eq!(audited(&served, "U0CMD").await, 1);

    // HTTP keeps working beside it, with the development secret.
    let health = reqwest::get(format!("{}/healthz", served.base))
        .await
        .expect("healthz");
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn a_link_shared_event_is_acked_then_unfurled() {
    let mut slack = FakeSlack::start().await;
    let trac = trac::server(Duration::from_millis(800)).await;
    let _served = Served::with_env(
        &config(&trac.uri(), &slack.api.uri()),
        &[("SLACK_APP_TOKEN", APP_TOKEN)],
    );
    let mut socket = slack.next_socket().await;
    let ticket = format!("{}/ticket/1", trac.uri());
    let callback: serde_json::Value =
        serde_json::from_str(&trac::link_shared("EvSock1", std::slice::from_ref(&ticket)))
            .expect("event");
    let (ack, took) = socket
        .round_trip(serde_json::json!({
            "type": "events_api", "envelope_id": "Env-ev-1", "accepts_response_payload": false,
            "retry_attempt": 0, "retry_reason": "", "payload": callback
        }))
        .await;
    // The tracker takes 800 ms; the ack does not wait for it.
    assert!(took < Duration::from_millis(700), "ack took {took:?}");
    assert_eq!(ack, serde_json::json!({"envelope_id": "Env-ev-1"}));
    let calls = eventually(Duration::from_secs(10), async || {
        let calls = stand_in::unfurl_calls(&slack.api).await;
        (!calls.is_empty()).then_some(calls)
    })
    .await
    .expect("chat.unfurl called");
    assert_eq!(calls.len(), 1, "{calls:?}");
    let card = calls[0]["unfurls"][&ticket]["blocks"].to_string();
    assert!(card.contains("Checkout page times out"), "{card}");
}

#[tokio::test]
async fn a_snooze_press_is_acked_and_recorded() {
    let mut slack = FakeSlack::start().await;
    let served = Served::with_env(
        &config("http://127.0.0.1:9", &slack.api.uri()),
        &[("SLACK_APP_TOKEN", APP_TOKEN)],
    );
    let mut socket = slack.next_socket().await;
    let (ack, took) = socket
        .round_trip(serde_json::json!({
            "type": "interactive", "envelope_id": "Env-press-1", "accepts_response_payload": false,
            "payload": {
                "type": "block_actions", "user": {"id": "U0ALICE"}, "team": {"id": "T0001"},
                "actions": [{"type": "button", "action_id": "sb_snooze", "value": "trac/web/12"}],
                "response_url": format!("{}/hook", slack.api.uri())
            }
        }))
        .await;
    assert!(took < ACK_LIMIT, "ack took {took:?}");
    assert_eq!(ack, serde_json::json!({"envelope_id": "Env-press-1"}));
    let texts = eventually(Duration::from_secs(10), async || {
        let t = hook_texts(&slack.api).await;
        (!t.is_empty()).then_some(t)
    })
    .await
    .expect("the press was answered");
    assert!(texts[0].starts_with("Snoozed #12"), "{texts:?}");
    let store = FileStore::open(&served.state_path()).expect("state");
    let alice = UserId::parse("U0ALICE").expect("user");
    let entry = ledger::get(&store, &alice, "trac/web/12")
        .await
        .expect("store")
        .expect("the snooze is recorded");
    assert!(entry.quiet_until > switchboard_core::clock::now_secs() + 86_400);
}

#[tokio::test]
async fn a_refresh_opens_the_new_socket_first_and_a_redelivery_is_not_handled_twice() {
    let mut slack = FakeSlack::start().await;
    let served = Served::capturing_with_env(
        &config("http://127.0.0.1:9", &slack.api.uri()),
        &[("SLACK_APP_TOKEN", APP_TOKEN)],
    );
    let hook = "http://127.0.0.1:9/unused";
    let mut first = slack.next_socket().await;
    let (ack, _) = first
        .round_trip(command("Env-a", "U0REDO", "help", hook))
        .await;
    assert!(usage_in(&ack), "{ack}");

    first
        .send(serde_json::json!({
            "type": "disconnect", "reason": "refresh_requested",
            "debug_info": {"host": "applink-test"}
        }))
        .await;
    let mut second = slack.next_socket().await;
    assert_eq!(slack.opened(), 2);
    assert!(second.path.contains("TICKET-2"), "{}", second.path);
    // The old socket is still open and still answered.
    let (ack, took) = first
        .round_trip(command("Env-b", "U0REDO", "help", hook))
        .await;
    assert!(usage_in(&ack) && took < ACK_LIMIT, "{ack} {took:?}");

    // Slack delivers Env-a again on the new socket: acked, not run again.
    let (ack, took) = second
        .round_trip(command("Env-a", "U0REDO", "help", hook))
        .await;
    assert!(took < ACK_LIMIT, "{took:?}");
    assert_eq!(ack, serde_json::json!({"envelope_id": "Env-a"}));
    let (ack, _) = second
        .round_trip(command("Env-c", "U0REDO", "help", hook))
        .await;
    assert!(usage_in(&ack), "{ack}");
    assert_eq!(
        audited(&served, "U0REDO").await,
        3,
        "Env-a, b and c once each"
    );

    // Another refresh while the first is still open: the client lets the
    // oldest go before it opens a third, so never more than two.
    second
        .send(serde_json::json!({"type": "disconnect", "reason": "warning"}))
        .await;
    let mut third = slack.next_socket().await;
    assert!(
        first.closed_within(Duration::from_secs(5)).await,
        "the oldest was closed"
    );
    assert_eq!(slack.peak.load(Ordering::SeqCst), 2, "never three at once");
    assert_eq!(slack.opened(), 3);
    let (ack, _) = third
        .round_trip(command("Env-d", "U0REDO", "help", hook))
        .await;
    assert!(usage_in(&ack), "{ack}");

    // Slack closes the replaced socket: no reconnect, the new one serves.
    second.close();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        slack.opened(),
        3,
        "no connection was opened for the old socket"
    );
    assert!(slack.sockets.try_recv().is_err());

    let log = served.log();
    assert!(log.contains("socket mode connected"), "{log}");
    assert!(!log.contains(APP_TOKEN), "the app token was logged");
    assert!(!log.contains("TICKET-"), "a connection ticket was logged");
}

#[tokio::test]
async fn a_dropped_socket_reconnects() {
    let mut slack = FakeSlack::start().await;
    let _served = Served::with_env(
        &config("http://127.0.0.1:9", &slack.api.uri()),
        &[("SLACK_APP_TOKEN", APP_TOKEN)],
    );
    let first = slack.next_socket().await;
    // The connection drops without a close frame.
    drop(first);
    let mut again = slack.next_socket().await;
    assert_eq!(slack.opened(), 2);
    let (ack, took) = again
        .round_trip(command("Env-1", "U0DROP", "help", "http://127.0.0.1:9/x"))
        .await;
    assert!(usage_in(&ack) && took < ACK_LIMIT, "{ack} {took:?}");
}

#[tokio::test]
async fn doctor_checks_the_app_token_and_never_prints_it() {
    let slack = FakeSlack::start().await;
    Mock::given(method("POST"))
        .and(path("/auth.test"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                serde_json::json!({"ok": true, "team": "Acme", "user": "switchboard"}),
            ),
        )
        .mount(&slack.api)
        .await;
    let config = format!("[slack]\napi_url = \"{}\"\n", slack.api.uri());
    let doctor = async |token: &str| {
        run_doctor(
            &config,
            &[("SLACK_BOT_TOKEN", "xoxb-good"), ("SLACK_APP_TOKEN", token)],
        )
        .await
    };
    let (ok, out) = doctor(APP_TOKEN).await;
    assert!(ok, "{out}");
    assert!(
        out.contains("ok    slack socket mode: apps.connections.open: OK"),
        "{out}"
    );
    assert!(
        out.contains("ok    secret SLACK_SIGNING_SECRET: not needed"),
        "{out}"
    );
    assert!(
        !out.contains(APP_TOKEN) && !out.contains("TICKET-"),
        "{out}"
    );

    let wrong = "xapp-1-A0SOCK-wrong-token-0000";
    let (ok, out) = doctor(wrong).await;
    assert!(!ok, "{out}");
    assert!(
        out.contains(
            "FAIL  slack socket mode: apps.connections.open failed: Slack answered invalid_auth"
        ),
        "{out}"
    );
    assert!(!out.contains(wrong), "{out}");
}
