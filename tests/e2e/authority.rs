//! Who may move things, through the app: other Slack workspaces are
//! refused and audited.

use std::time::Duration;

use switchboard_core::audit;
use switchboard_core::ids::UserId;
use switchboard_core::ledger;
use switchboard_core::state::FileStore;
use switchboard_tests::{eventually, reply, spawn_app_with};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

const RESPONSE_URL: &str = "https://hooks.slack.com/commands/T0HOME/1/abc";

fn home_only(slack: &str) -> String {
    format!(
        r#"
[slack]
api_url = "{slack}"
team_ids = ["T0HOME"]
[commands.help]
public = true
[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"
[[scanner.projects]]
tracker = "cb"
project = "web"
[state]
path = "state.jsonl"
"#
    )
}

#[tokio::test]
async fn another_workspace_is_refused_on_every_slack_route_and_audited() {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&slack)
        .await;
    let served = spawn_app_with(&home_only(&slack.uri())).await;

    // A command from the home workspace is answered.
    let (status, body) = served
        .command_in("T0HOME", "help", "UBOB", "CGEN", RESPONSE_URL)
        .await;
    assert_eq!(status, 200);
    assert!(reply(&body).1.contains("Usage:"), "{body}");

    // The same command from a Slack Connect guest's workspace is one line.
    let (status, body) = served
        .command_in("T0GUEST", "help", "UBOB", "CGEN", RESPONSE_URL)
        .await;
    assert_eq!(status, 200);
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    assert!(
        text.contains("only its own workspace") && !text.contains("Usage:"),
        "{text}"
    );

    // An event from another workspace is acknowledged and ignored.
    let event = serde_json::json!({
        "type": "event_callback", "team_id": "T0GUEST", "event_id": "EvGuest1",
        "event": {
            "type": "link_shared", "channel": "C0ROOM", "user": "U0EVE",
            "message_ts": "1795000000.000100",
            "links": [{"domain": "acme.codebasehq.com",
                       "url": "https://acme.codebasehq.com/projects/web/tickets/1"}]
        }
    })
    .to_string();
    let (status, _) = served.event(&event, None).await;
    assert_eq!(status, 200);

    // A button press that names no home workspace changes nothing.
    assert_eq!(served.press("U0EVE", "sb_snooze", "cb/web/12").await, 200);

    let store = FileStore::open(&served.state_path()).expect("state file");
    let entries = eventually(Duration::from_secs(5), async || {
        let entries = audit::recent(&store, 20).await.ok()?;
        (entries.iter().filter(|e| e.outcome == "denied").count() >= 3).then_some(entries)
    })
    .await
    .expect("three refusals audited");
    let denied: Vec<(&str, &str)> = entries
        .iter()
        .filter(|e| e.outcome == "denied")
        .map(|e| (e.team.as_str(), e.command.as_str()))
        .collect();
    for want in [
        ("T0GUEST", "refused"),
        ("T0GUEST", "event:link_shared"),
        ("", "button:sb_snooze"),
    ] {
        assert!(denied.contains(&want), "{want:?} not in {denied:?}");
    }
    let eve = UserId::parse("U0EVE").expect("user");
    assert_eq!(
        ledger::get(&store, &eve, "cb/web/12").await.expect("store"),
        None
    );
    let unfurls = slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/chat.unfurl")
        .count();
    assert_eq!(unfurls, 0, "nothing was unfurled for the guest");
}
