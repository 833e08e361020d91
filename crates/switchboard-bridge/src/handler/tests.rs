use std::sync::Mutex;

use switchboard_core::config::Config;
use switchboard_core::fakes::RecordingChat;
use switchboard_core::services::Services as CoreServices;
use switchboard_core::settings::LiveConfig;
use switchboard_core::state::DynamoStore;
use switchboard_core::testing::fault::{Fault, FaultProxy};
use switchboard_core::testing::moto;
use switchboard_trackers::{Transition, Workflow};

use super::*;

/// An issue in "In Review" that moves once.
#[derive(Default)]
struct OneIssue {
    moved: Mutex<u32>,
}

#[async_trait::async_trait]
impl Workflow for OneIssue {
    async fn status(&self, _: &str) -> Result<String, TrackerError> {
        let moved = *self.moved.lock().unwrap_or_else(|e| e.into_inner()) > 0;
        Ok(if moved { "Ready for Test" } else { "In Review" }.into())
    }
    async fn transitions(&self, _: &str) -> Result<Vec<Transition>, TrackerError> {
        Ok(vec![Transition {
            id: "21".into(),
            name: "Approve".into(),
            to: "Ready for Test".into(),
        }])
    }
    async fn execute(&self, _: &str, _: &Transition) -> Result<(), TrackerError> {
        *self.moved.lock().unwrap_or_else(|e| e.into_inner()) += 1;
        Ok(())
    }
    async fn set_field(&self, _: &str, _: &str, _: &str) -> Result<(), TrackerError> {
        Ok(())
    }
}

/// DynamoDB applies the delivery's claim and answers after 1.3 s; the
/// SDK retries and the retry's condition fails. The delivery is still
/// ours, and the issue moves.
#[tokio::test]
async fn a_late_answer_to_the_delivery_claim_still_moves_the_issue_on_moto() {
    let table = moto::create_table(&moto::sdk_config().await).await;
    let proxy = FaultProxy::start(&moto::endpoint()).await;
    let aws = moto::production_sdk_config(proxy.url()).await;
    let store: Arc<dyn StateStore> =
        Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table));
    let config = Config::parse(
        "[[trackers]]\nname = \"jira\"\nkind = \"jira\"\nurl = \"https://jira.example\"\n\
             [[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nchannel = \"C0SHOP\"\n\
             repos = [\"acme/shop\"]\n",
        "late",
    )
    .expect("config");
    let secret = Secret::new("late-claim-webhook-secret");
    let secrets = Secrets {
        github_webhook_secret: Some(secret.clone()),
        ..Secrets::default()
    };
    let issue = Arc::new(OneIssue::default());
    let chat = Arc::new(RecordingChat::default());
    let (workflow, notes) = (issue.clone(), chat.clone());
    let live = Live::new(LiveConfig::fixed(config), move |_| {
        Services::new(CoreServices::new(notes.clone())).with_workflow("jira", workflow.clone())
    });
    let bridge = Arc::new(Bridge::new(live, secrets, store));
    let body = include_str!("../../tests/fixtures/github/pull_request-closed-merged.json");
    let mut headers = http::HeaderMap::new();
    for (name, value) in [
        ("x-github-event", "pull_request".to_owned()),
        (
            "x-github-delivery",
            "72d3162e-cc78-11e3-81ab-4c9367dc0958".to_owned(),
        ),
        (
            "x-hub-signature-256",
            switchboard_core::edge::hub::sign(&secret, body.as_bytes()),
        ),
        ("content-type", "application/json".to_owned()),
    ] {
        headers.insert(name, value.parse().expect("header value"));
    }

    proxy.fault(
        "DynamoDB_20120810.PutItem",
        Fault::Delay(std::time::Duration::from_millis(1300)),
        1,
    );
    let reply = bridge
        .handle_pr(Provider::Github, &headers, body.as_bytes())
        .await;
    assert_eq!(
        (reply.status, reply.body.contains("moved")),
        (200, true),
        "{}",
        reply.body
    );
    assert_eq!(
        *issue.moved.lock().expect("lock"),
        1,
        "the issue moved once"
    );
    assert_eq!(chat.messages().len(), 1, "one note");
    assert!(
        proxy.seen("PutItem").iter().any(|s| s.faulted),
        "the claim's answer was late"
    );

    // The same delivery again does nothing more.
    let again = bridge
        .handle_pr(Provider::Github, &headers, body.as_bytes())
        .await;
    assert!(again.body.contains("already"), "{}", again.body);
    assert_eq!(*issue.moved.lock().expect("lock"), 1);
}
