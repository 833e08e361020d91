use std::sync::Arc;

use switchboard_core::fakes::{MemoryStore, RecordingRunner};
use switchboard_core::ids::UserId;
use switchboard_core::secrets::{Secret, Secrets};
use switchboard_core::settings::LiveConfig;
use switchboard_core::slack::interaction::button_form;
use switchboard_core::slack::verify::signed_headers;
use wiremock::matchers::{body_partial_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;

const SECRET: &str = "test-signing-secret";

fn dispatcher(store: Arc<MemoryStore>) -> Arc<Dispatcher> {
    let config = Config::parse(
        r#"
[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"

[scanner]
snooze_days = 7

[[scanner.projects]]
tracker = "cb"
project = "web"
stale_days = 30
"#,
        "test",
    )
    .expect("config");
    let secrets = Secrets {
        slack_signing_secret: Some(Secret::new(SECRET)),
        ..Secrets::default()
    };
    Arc::new(Dispatcher::new(
        LiveConfig::fixed(config),
        secrets,
        store,
        Arc::new(RecordingRunner::default()),
        switchboard_core::outbound::Http::lazy(),
    ))
}

async fn press(d: &Arc<Dispatcher>, action: &str, value: &str, url: &str) -> Reply {
    let form = button_form("U0ALICE", action, value, url);
    let headers = signed_headers(&Secret::new(SECRET), form.as_bytes());
    d.handle_interaction(&headers, form.as_bytes()).await
}

#[tokio::test]
async fn snooze_is_recorded_and_confirmed() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/respond"))
        .and(body_partial_json(
            serde_json::json!({ "response_type": "ephemeral" }),
        ))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&slack)
        .await;
    let store = Arc::new(MemoryStore::new());
    let d = dispatcher(store.clone());
    let reply = press(&d, SNOOZE, "cb/web/12", &format!("{}/respond", slack.uri())).await;
    assert_eq!(reply.status, 200);
    let alice = UserId::parse("U0ALICE").expect("user");
    let entry = ledger::get(store.as_ref(), &alice, "cb/web/12")
        .await
        .expect("store")
        .expect("recorded");
    assert_eq!(entry.why, Quiet::Snoozed);
    let days = (entry.quiet_until - now_secs() + 60) / 86_400;
    assert_eq!(days, 7);
    let audit = audit::recent(store.as_ref(), 5).await.expect("audit");
    assert_eq!(audit[0].command, "button:sb_snooze");
    assert_eq!(audit[0].outcome, "ok");
}

#[tokio::test]
async fn still_valid_lasts_the_projects_stale_window() {
    let store = Arc::new(MemoryStore::new());
    let d = dispatcher(store.clone());
    let reply = press(&d, STILL_VALID, "cb/web/12", "https://127.0.0.1:9/none").await;
    assert_eq!(reply.status, 200);
    let alice = UserId::parse("U0ALICE").expect("user");
    let entry = ledger::get(store.as_ref(), &alice, "cb/web/12")
        .await
        .expect("store")
        .expect("recorded");
    assert_eq!(entry.why, Quiet::StillValid);
    assert_eq!((entry.quiet_until - now_secs() + 60) / 86_400, 30);
}

#[tokio::test]
async fn unsigned_junk_and_unknown_buttons_change_nothing() {
    let store = Arc::new(MemoryStore::new());
    let d = dispatcher(store.clone());
    let form = button_form("U0ALICE", SNOOZE, "cb/web/12", "https://x.invalid/r");
    let unsigned = d
        .handle_interaction(&http::HeaderMap::new(), form.as_bytes())
        .await;
    assert_eq!(unsigned.status, 401);
    let headers = signed_headers(&Secret::new(SECRET), b"payload=%7Bnope");
    assert_eq!(
        d.handle_interaction(&headers, b"payload=%7Bnope")
            .await
            .status,
        400
    );
    press(
        &d,
        "sb_delete_everything",
        "cb/web/12",
        "https://x.invalid/r",
    )
    .await;
    press(&d, SNOOZE, "../../etc", "https://x.invalid/r").await;
    let alice = UserId::parse("U0ALICE").expect("user");
    assert_eq!(
        ledger::get(store.as_ref(), &alice, "cb/web/12")
            .await
            .expect("store"),
        None
    );
    let audit = audit::recent(store.as_ref(), 5).await.expect("audit");
    assert_eq!(audit.len(), 2);
    assert!(audit.iter().all(|a| a.outcome == "user_error"));
}

#[tokio::test]
async fn only_presses_from_the_configured_workspaces_count() {
    let store = Arc::new(MemoryStore::new());
    let config = Config::parse(
            "[slack]\nteam_ids = [\"T0HOME\"]\n\
             [[trackers]]\nname = \"cb\"\nkind = \"codebase\"\nurl = \"https://acme.codebasehq.com\"\n\
             [[scanner.projects]]\ntracker = \"cb\"\nproject = \"web\"\n",
            "test",
        )
        .expect("config");
    let d = Arc::new(Dispatcher::new(
        LiveConfig::fixed(config),
        Secrets {
            slack_signing_secret: Some(Secret::new(SECRET)),
            ..Secrets::default()
        },
        store.clone(),
        Arc::new(RecordingRunner::default()),
        switchboard_core::outbound::Http::lazy(),
    ));
    let press_from = async |user: &str, team: &str| {
        let payload = serde_json::json!({
            "type": "block_actions",
            "user": { "id": user, "team_id": team },
            "actions": [{ "action_id": SNOOZE, "value": "cb/web/12" }],
        });
        let form = serde_urlencoded::to_string([("payload", payload.to_string())]).expect("form");
        let headers = signed_headers(&Secret::new(SECRET), form.as_bytes());
        d.handle_interaction(&headers, form.as_bytes()).await.status
    };
    assert_eq!(press_from("U0GUEST", "T0GUEST").await, 200);
    assert_eq!(press_from("U0HOME", "T0HOME").await, 200);
    let recorded = async |user: &str| {
        let user = UserId::parse(user).expect("user");
        ledger::get(store.as_ref(), &user, "cb/web/12")
            .await
            .expect("store")
            .is_some()
    };
    assert!(
        !recorded("U0GUEST").await,
        "a guest's press changed the ledger"
    );
    assert!(recorded("U0HOME").await);
    let audit = audit::recent(store.as_ref(), 5).await.expect("audit");
    let outcomes: Vec<(&str, &str)> = audit
        .iter()
        .map(|a| (a.team.as_str(), a.outcome.as_str()))
        .collect();
    assert!(outcomes.contains(&("T0GUEST", "denied")), "{outcomes:?}");
    assert!(outcomes.contains(&("T0HOME", "ok")), "{outcomes:?}");
}
