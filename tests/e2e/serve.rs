//! Slash commands through the app: health, help, signatures, the
//! allowlist and its audit, and Jenkins down or slow (faked by wiremock).

use std::time::Duration;

use switchboard_core::audit;
use switchboard_core::state::FileStore;
use switchboard_tests::config::commands as config;
use switchboard_tests::secrets::SECRET;
use switchboard_tests::{reply, spawn_app_with};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const RESPONSE_URL: &str = "https://hooks.slack.com/commands/T0001/1/abc";

#[tokio::test]
async fn health_and_help() {
    let served = spawn_app_with(&config("http://127.0.0.1:9", "http://127.0.0.1:9")).await;
    let health = reqwest::get(format!("{}/healthz", served.base))
        .await
        .expect("healthz");
    assert_eq!(health.status().as_u16(), 200);

    let (status, body) = served.command("help", "UBOB", "CGEN", RESPONSE_URL).await;
    assert_eq!(status, 200);
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    for word in ["Usage: /example", "deploy", "backup", "restore", "jobs"] {
        assert!(text.contains(word), "help lacks {word:?}: {text}");
    }
    let (_, text) = reply(
        &served
            .command("help deploy", "UBOB", "CGEN", RESPONSE_URL)
            .await
            .1,
    );
    assert!(text.contains("--branch"), "{text}");
}

#[tokio::test]
async fn bad_signatures_are_401() {
    let served = spawn_app_with(&config("http://127.0.0.1:9", "http://127.0.0.1:9")).await;
    let body = "team_id=T1&user_id=UANN&channel_id=C1&command=%2Fexample&text=help&response_url=https%3A%2F%2Fx";
    let now = switchboard_core::clock::now_secs();
    let good = |ts| {
        switchboard_core::slack::verify::sign(
            &switchboard_core::secrets::Secret::new(SECRET),
            ts,
            body.as_bytes(),
        )
    };
    assert_eq!(served.post_signed(body, now, &good(now)).await.0, 200);
    assert_eq!(served.post_signed(body, now, "v0=00").await.0, 401);
    assert_eq!(
        served
            .post_signed(body, now - 600, &good(now - 600))
            .await
            .0,
        401
    );
    let wrong = switchboard_core::slack::verify::sign(
        &switchboard_core::secrets::Secret::new("other"),
        now,
        body.as_bytes(),
    );
    assert_eq!(served.post_signed(body, now, &wrong).await.0, 401);
}

#[tokio::test]
async fn a_refused_command_is_explained_and_audited() {
    let jenkins = MockServer::start().await;
    let served = spawn_app_with(&config(&jenkins.uri(), "http://127.0.0.1:9")).await;
    let (status, body) = served
        .command(
            "deploy --client acme --branch main",
            "UBOB",
            "CGEN",
            RESPONSE_URL,
        )
        .await;
    assert_eq!(status, 200);
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    assert!(text.contains("not allowed to run `deploy`"), "{text}");
    assert!(
        jenkins
            .received_requests()
            .await
            .unwrap_or_default()
            .is_empty(),
        "Jenkins was not called"
    );

    let store = FileStore::open(&served.state_path()).expect("state file");
    let entries = audit::recent(&store, 10).await.expect("audit");
    let refusal = entries
        .iter()
        .find(|e| e.outcome == "denied")
        .expect("a denied entry");
    assert_eq!(
        (
            refusal.user.as_str(),
            refusal.channel.as_str(),
            refusal.command.as_str()
        ),
        ("UBOB", "CGEN", "deploy")
    );
    assert_eq!(refusal.text, "deploy --client acme --branch main");
    assert_eq!(refusal.detail, "user_not_listed");
}

#[tokio::test]
async fn jenkins_down_is_a_clear_ephemeral_error() {
    let served = spawn_app_with(&config("http://127.0.0.1:9", "http://127.0.0.1:9")).await;
    let (_, body) = served
        .command(
            "deploy --client acme --branch main",
            "UANN",
            "COPS",
            RESPONSE_URL,
        )
        .await;
    let (kind, text) = reply(&body);
    assert_eq!(kind, "ephemeral");
    assert!(text.contains("Jenkins is not answering"), "{text}");
}

#[tokio::test]
async fn a_slow_jenkins_still_gets_slack_an_answer_in_time() {
    let jenkins = MockServer::start().await;
    Mock::given(path("/job/deploy/buildWithParameters"))
        .respond_with(ResponseTemplate::new(201).set_delay(Duration::from_secs(10)))
        .mount(&jenkins)
        .await;
    let served = spawn_app_with(&config(&jenkins.uri(), "http://127.0.0.1:9")).await;
    let started = std::time::Instant::now();
    let (_, body) = served
        .command(
            "deploy --client acme --branch main",
            "UANN",
            "COPS",
            RESPONSE_URL,
        )
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    // The trigger may have reached Jenkins: never "nothing was deployed".
    let (kind, text) = reply(&body);
    assert_eq!(
        kind, "in_channel",
        "the channel hears before anyone retypes it"
    );
    assert!(
        text.contains("may have been queued") && !text.contains("nothing was deployed"),
        "{text}"
    );
}
