//! The secrets every app under test holds, in `switchboard serve`'s
//! environment or the in-process app's `Secrets` alike, so a test signs
//! with the same values whichever way the app runs.

/// The Slack signing secret.
pub const SECRET: &str = "integration-signing-secret";
/// The Bitbucket, GitHub and bench webhook secret.
pub const WEBHOOK_SECRET: &str = "integration-webhook-secret";
pub const BOT_TOKEN: &str = "xoxb-integration";
pub const JENKINS_USER: &str = "switchboard-bot";
pub const JENKINS_TOKEN: &str = "integration-jenkins-token";
pub const JIRA_USER: &str = "bot@acme.example";
pub const JIRA_TOKEN: &str = "jira-api-token";
pub const TRELLO_KEY: &str = "integration-trello-key-0000000001";
pub const TRELLO_TOKEN: &str = "integration-trello-token-00000000000000000002";

/// Each secret under the variable `serve` reads it from.
pub const ENV: [(&str, &str); 11] = [
    ("SLACK_SIGNING_SECRET", SECRET),
    ("SLACK_BOT_TOKEN", BOT_TOKEN),
    ("BITBUCKET_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ("GITHUB_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ("BENCH_WEBHOOK_SECRET", WEBHOOK_SECRET),
    ("TRACKER_JIRA_USER", JIRA_USER),
    ("TRACKER_JIRA_TOKEN", JIRA_TOKEN),
    ("TRACKER_TRELLO_USER", TRELLO_KEY),
    ("TRACKER_TRELLO_TOKEN", TRELLO_TOKEN),
    ("JENKINS_USER", JENKINS_USER),
    ("JENKINS_TOKEN", JENKINS_TOKEN),
];
