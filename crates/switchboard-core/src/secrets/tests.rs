use super::*;

#[test]
fn every_known_value_is_scrubbed() {
    let s = Secrets::from_pairs([
        ("SLACK_BOT_TOKEN".to_owned(), "xoxb-1234".to_owned()),
        ("TRACKER_JIRA_TOKEN".to_owned(), "jira-tok".to_owned()),
        ("GITHUB_WEBHOOK_SECRET".to_owned(), "gh-hook".to_owned()),
        ("SLACK_APP_TOKEN".to_owned(), "xapp-1-A1".to_owned()),
    ]);
    let text = "env: SLACK_BOT_TOKEN=xoxb-1234 T=jira-tok G=gh-hook A=xapp-1-A1 x=abc";
    assert_eq!(
        scrub(text, s.values().chain(["abc", "pg-pass"])),
        "env: SLACK_BOT_TOKEN=*** T=*** G=*** A=*** x=abc"
    );
    // A secret that contains another goes whole.
    assert_eq!(scrub("key-123456", ["key-123456", "1234"]), "***");
}

#[test]
fn secrets_never_print() {
    let s = Secret::new("xoxb-very-secret");
    assert_eq!(format!("{s}"), "***");
    assert!(!format!("{s:?}").contains("very"));
    let all = Secrets::from_json(r#"{"SLACK_BOT_TOKEN":"xoxb-very-secret"}"#).expect("json");
    assert!(!format!("{all:?}").contains("very"));
    assert_eq!(
        all.slack_bot_token.as_ref().map(Secret::expose),
        Some("xoxb-very-secret")
    );
    assert!(all.slack_signing_secret.is_none());
}

#[test]
fn tracker_credentials_by_name() {
    assert_eq!(tracker_var("trac-main", "USER"), "TRACKER_TRAC_MAIN_USER");
    let s = Secrets::from_json(r#"{"TRACKER_JIRA_TOKEN":"t0k","UNRELATED":"x"}"#).expect("json");
    assert_eq!(s.tracker("jira", "TOKEN").map(Secret::expose), Some("t0k"));
    assert!(s.tracker("jira", "USER").is_none());
    assert_eq!(s.trackers.len(), 1, "unrelated keys are not kept");
}

#[test]
fn bad_json_is_a_clear_error() {
    let err = Secrets::from_json("[1,2]").expect_err("not an object");
    assert!(err.to_string().contains("JSON object"));
}
