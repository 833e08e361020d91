//! Dangerous commands ask first: through the app, a Cancel or an expired
//! prompt starts nothing, with a Slack stand-in that records
//! `response_url` posts.

use std::time::Duration;

use switchboard_tests::config::jobs as config;
use switchboard_tests::slack::{bodies, buttons, live_messages as slack};
use switchboard_tests::state::{audit_outcomes, jobs};
use switchboard_tests::{eventually, spawn_app_with};

#[tokio::test]
async fn cancel_and_expiry_start_nothing() {
    let slack = slack().await;
    let respond = format!("{}/respond", slack.uri());
    let job = "[jobs.restore]\ncommand = [\"true\", \"{client}\", \"{from}\"]";
    // Prompts that last the default 5 minutes, so only Cancel spends one,
    // and prompts that last a second, to see one expire.
    let served = spawn_app_with(&config(&slack.uri(), job, "")).await;
    let brief = spawn_app_with(&config(&slack.uri(), job, "confirm_seconds = 1")).await;
    let token = |body: &str| buttons(body)[0].1.clone();
    let (_, first) = served
        .command("restore --client acme --from s1", "UANN", "COPS", &respond)
        .await;
    let (_, second) = brief
        .command("restore --client acme --from s2", "UANN", "COPS", &respond)
        .await;
    let (cancelled, expired) = (token(&first), token(&second));
    assert_eq!(
        served
            .press_answered("UANN", "sb_cancel", &cancelled, &respond)
            .await,
        200
    );
    // A Confirm after Cancel finds the token spent.
    assert_eq!(
        served
            .press_answered("UANN", "sb_confirm", &cancelled, &respond)
            .await,
        200
    );
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_eq!(
        brief
            .press_answered("UANN", "sb_confirm", &expired, &respond)
            .await,
        200
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(jobs(&served).await.is_empty(), "nothing started");
    assert!(jobs(&brief).await.is_empty(), "nothing started");
    let answers = bodies(&slack, "/respond").await;
    assert!(
        answers.iter().any(|a| a["delete_original"] == true),
        "Cancel removes the prompt: {answers:?}"
    );
    // The audit entries are written before each press is answered; the
    // state file is read while serve appends to it, so allow a moment.
    for (serve, want) in [
        (&served, &["cancelled", "duplicate"][..]),
        (&brief, &["expired"][..]),
    ] {
        let outcomes = eventually(Duration::from_secs(5), async || {
            let outcomes = audit_outcomes(serve).await;
            want.iter()
                .all(|w| outcomes.iter().any(|(_, o)| o == w))
                .then_some(outcomes)
        })
        .await;
        assert!(
            outcomes.is_some(),
            "{want:?} in {:?}",
            audit_outcomes(serve).await
        );
    }
}
