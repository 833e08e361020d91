use super::*;

#[test]
fn secrets_needed_follow_the_config_and_never_print() {
    let config = Config::parse(
        r#"
[jenkins]
url = "https://ci.example"
job = "deploy"

[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"

[[trackers]]
name = "trac"
kind = "trac"
url = "https://trac.example"
"#,
        "t",
    )
    .expect("config");
    let s = Secrets {
        slack_bot_token: Some(Secret::new("xoxb-very-secret")),
        jenkins_token: Some(Secret::new("jenkins-very-secret")),
        ..Secrets::default()
    };
    let checks = secrets(&config, &s, false);
    let lines: Vec<String> = checks.iter().map(Check::line).collect();
    let all = lines.join("\n");
    assert!(
        all.contains("FAIL  secret SLACK_SIGNING_SECRET: missing"),
        "{all}"
    );
    assert!(all.contains("ok    secret SLACK_BOT_TOKEN: set"), "{all}");
    assert!(all.contains("FAIL  secret JENKINS_USER"), "{all}");
    assert!(
        all.contains("TRACKER_CB_USER and TRACKER_CB_TOKEN"),
        "{all}"
    );
    assert!(
        all.contains("ok    secret tracker trac"),
        "Trac may be public: {all}"
    );
    assert!(!all.contains("very-secret"), "secrets never print: {all}");
}
