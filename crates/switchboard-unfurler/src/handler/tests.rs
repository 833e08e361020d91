use async_trait::async_trait;
use switchboard_core::config::{Config, TracMode, TrackerConfig, TrackerKind};
use switchboard_core::fakes::{MemoryStore, RecordingChat};
use switchboard_core::secrets::Secret;
use switchboard_core::services::Services as CoreServices;
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::Chat;
use switchboard_core::slack::verify::signed_headers;
use switchboard_trackers::{Comment, Ticket, TicketRef, TicketView, Tracker, TrackerError};

use super::*;

const SECRET: &str = "events-secret";

/// A tracker that answers after `delay`, or fails for ticket 404.
struct FakeTrac {
    delay: Duration,
}

#[async_trait]
impl Tracker for FakeTrac {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        tokio::time::sleep(self.delay).await;
        if link.key == "404" {
            return Err(TrackerError::NotFound);
        }
        Ok(TicketView {
            ticket: Ticket {
                display_id: format!("#{}", link.key),
                url: format!("https://trac.example.com/ticket/{}", link.key),
                summary: format!("Ticket {}", link.key),
                ..Ticket::default()
            },
            comment: link.comment.map(|n| Comment {
                number: n,
                author: "carol".into(),
                at: None,
                text: "a comment".into(),
            }),
        })
    }
}

fn unfurler(config: &str, delay: Duration) -> (Arc<Unfurler>, Arc<RecordingChat>) {
    let chat = Arc::new(RecordingChat::default());
    (unfurler_with(config, delay, chat.clone()), chat)
}

fn unfurler_with(config: &str, delay: Duration, chat: Arc<dyn Chat>) -> Arc<Unfurler> {
    let config = Config::parse(config, "test").expect("config");
    let secrets = Secrets {
        slack_signing_secret: Some(Secret::new(SECRET)),
        ..Secrets::default()
    };
    let c = chat;
    let live = Live::new(LiveConfig::fixed(config), move |_config: &Config| {
        let tracker = TrackerConfig {
            name: "trac".into(),
            kind: TrackerKind::Trac,
            url: "https://trac.example.com".into(),
            api_url: None,
            trac_mode: TracMode::Jsonrpc,
            org_id: None,
        };
        Services::new(CoreServices::new(c.clone()))
            .with_cards(tracker, Arc::new(FakeTrac { delay }))
    });
    Arc::new(Unfurler::new(live, secrets, Arc::new(MemoryStore::new())))
}

fn event(id: &str, channel: &str, links: &[&str]) -> String {
    let links: Vec<serde_json::Value> = links
        .iter()
        .map(|l| serde_json::json!({"domain": "trac.example.com", "url": l}))
        .collect();
    serde_json::json!({
        "type": "event_callback", "team_id": "T1", "event_id": id,
        "event": {"type": "link_shared", "channel": channel, "user": "U1",
                  "message_ts": "1.2", "links": links}
    })
    .to_string()
}

fn signed(body: &str) -> http::HeaderMap {
    signed_headers(&Secret::new(SECRET), body.as_bytes())
}

async fn send(u: &Arc<Unfurler>, body: &str) -> Reply {
    u.handle_event(&signed(body), body.as_bytes()).await
}

fn unfurled_urls(chat: &RecordingChat) -> Vec<Vec<String>> {
    chat.unfurls
        .lock()
        .expect("lock")
        .iter()
        .map(|(_, cards)| cards.iter().map(|(u, _)| u.clone()).collect())
        .collect()
}

#[tokio::test]
async fn answers_the_url_challenge_and_refuses_bad_signatures() {
    let (u, _) = unfurler("", Duration::ZERO);
    let body = r#"{"type":"url_verification","challenge":"3eZbrw1aB"}"#;
    let r = send(&u, body).await;
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, r#"{"challenge":"3eZbrw1aB"}"#)
    );
    let r = u
        .handle_event(&http::HeaderMap::new(), body.as_bytes())
        .await;
    assert_eq!(r.status, 401);
}

#[tokio::test]
async fn unfurls_known_links_in_order_and_skips_the_rest() {
    let (u, chat) = unfurler("[unfurl]\nmax_links = 4\n", Duration::ZERO);
    let body = event(
        "Ev1",
        "C1",
        &[
            "https://trac.example.com/ticket/2",
            "https://elsewhere.example.com/ticket/1",
            "https://trac.example.com/ticket/404",
            "https://trac.example.com/ticket/1#comment:3",
        ],
    );
    assert_eq!(send(&u, &body).await.status, 200);
    assert_eq!(
        unfurled_urls(&chat),
        [vec![
            "https://trac.example.com/ticket/2".to_string(),
            "https://trac.example.com/ticket/1#comment:3".to_string()
        ]]
    );
    let recorded = chat.unfurls.lock().expect("lock");
    let (target, cards) = &recorded[0];
    assert_eq!(
        target,
        &UnfurlTarget::Message {
            channel: "C1".into(),
            ts: "1.2".into()
        }
    );
    assert!(cards[1].1.title.starts_with("Comment 3 on #1"));
}

#[tokio::test]
async fn a_retried_event_does_nothing_and_a_storm_unfurls_once() {
    // No repeat window: only the event claim may stop the duplicates.
    let (u, chat) = unfurler("[unfurl]\nrepeat_minutes = 0\n", Duration::from_millis(20));
    let body = event("Ev2", "C1", &["https://trac.example.com/ticket/5"]);
    let (a, b, c, d) = tokio::join!(
        send(&u, &body),
        send(&u, &body),
        send(&u, &body),
        send(&u, &body)
    );
    assert!([a, b, c, d].iter().all(|r| r.status == 200));
    assert_eq!(unfurled_urls(&chat).len(), 1);
}

#[tokio::test]
async fn the_same_link_in_the_same_channel_waits_its_turn() {
    let (u, chat) = unfurler("", Duration::ZERO);
    let link = "https://trac.example.com/ticket/7";
    send(&u, &event("Ev3", "C1", &[link])).await;
    send(&u, &event("Ev4", "C1", &[link])).await;
    send(&u, &event("Ev5", "C2", &[link])).await;
    assert_eq!(unfurled_urls(&chat).len(), 2, "once in C1, once in C2");

    let (u, chat) = unfurler("[unfurl]\nrepeat_minutes = 0\n", Duration::ZERO);
    send(&u, &event("Ev6", "C1", &[link])).await;
    send(&u, &event("Ev7", "C1", &[link])).await;
    assert_eq!(
        unfurled_urls(&chat).len(),
        2,
        "no suppression when set to 0"
    );
}

#[tokio::test]
async fn composer_previews_are_not_held_back_by_the_repeat_window() {
    let (u, chat) = unfurler("", Duration::ZERO);
    let link = "https://trac.example.com/ticket/8";
    for id in ["EvC1", "EvC2"] {
        let mut body: serde_json::Value =
            serde_json::from_str(&event(id, "COMPOSER", &[link])).expect("json");
        body["event"]["source"] = "composer".into();
        body["event"]["unfurl_id"] = format!("{id}.unfurl").into();
        send(&u, &body.to_string()).await;
    }
    assert_eq!(unfurled_urls(&chat).len(), 2);
}

#[tokio::test]
async fn a_failed_unfurl_does_not_hold_the_link_back() {
    let chat = Arc::new(RecordingChat::default().fail_next("chat.unfurl", 1));
    let u = unfurler_with("", Duration::ZERO, chat.clone());
    let link = "https://trac.example.com/ticket/9";
    send(&u, &event("EvF1", "C1", &[link])).await;
    assert!(
        unfurled_urls(&chat).is_empty(),
        "the first chat.unfurl failed"
    );
    send(&u, &event("EvF2", "C1", &[link])).await;
    assert_eq!(
        unfurled_urls(&chat).len(),
        1,
        "the link was released and unfurled"
    );
}

#[tokio::test]
async fn too_many_links_unfurl_none() {
    let (u, chat) = unfurler("[unfurl]\nmax_links = 2\n", Duration::ZERO);
    let links = [
        "https://trac.example.com/ticket/1",
        "https://trac.example.com/ticket/2",
        "https://trac.example.com/ticket/3",
    ];
    send(&u, &event("Ev8", "C1", &links)).await;
    assert!(unfurled_urls(&chat).is_empty());
}

#[tokio::test]
async fn a_slow_tracker_gets_no_card_and_slack_is_answered_in_time() {
    let (u, chat) = unfurler("[unfurl]\nbudget_ms = 300\n", Duration::from_secs(5));
    let started = std::time::Instant::now();
    let r = send(
        &u,
        &event("Ev9", "C1", &["https://trac.example.com/ticket/1"]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert!(unfurled_urls(&chat).is_empty());
}
