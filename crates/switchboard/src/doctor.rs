//! `switchboard doctor`: checks what a working install needs, one line per
//! check with what to fix: the config, the secrets, Slack (`auth.test`),
//! each tracker, and the state store.

use std::path::PathBuf;
use std::time::Duration;

use switchboard_core::config::{Config, TrackerKind};
use switchboard_core::runtime::{LocalPaths, Runtime, TABLE_VAR};
use switchboard_core::secrets::{Secret, Secrets, tracker_var};
use switchboard_core::state::Key;

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Ok(String),
    /// Works, but something is worth a look.
    Warn(String),
    /// Does not work; the text says how to fix it.
    Fail(String),
}

/// A named check and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub outcome: Outcome,
}

impl Check {
    fn new(name: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            name: name.into(),
            outcome,
        }
    }

    pub fn line(&self) -> String {
        match &self.outcome {
            Outcome::Ok(d) => format!("ok    {}: {d}", self.name),
            Outcome::Warn(d) => format!("warn  {}: {d}", self.name),
            Outcome::Fail(d) => format!("FAIL  {}: {d}", self.name),
        }
    }
}

/// How long any one outside check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(10);

pub async fn run(config: Option<PathBuf>, state: Option<PathBuf>) -> anyhow::Result<()> {
    let checks = gather(config, state).await;
    let mut failed = 0;
    for c in &checks {
        println!("{}", c.line());
        failed += usize::from(matches!(c.outcome, Outcome::Fail(_)));
    }
    if failed > 0 {
        anyhow::bail!("{failed} check(s) failed");
    }
    Ok(())
}

/// Runs every check; later checks that need the config are skipped when it
/// is bad.
pub async fn gather(config: Option<PathBuf>, state: Option<PathBuf>) -> Vec<Check> {
    let mut checks = Vec::new();
    let on_aws = std::env::var(TABLE_VAR).is_ok_and(|t| !t.is_empty());
    let rt = if on_aws {
        match Runtime::from_env().await {
            Ok(rt) => {
                checks.push(Check::new(
                    "config",
                    Outcome::Ok("the newest pushed config loaded from the table".into()),
                ));
                rt
            }
            Err(e) => {
                checks.push(Check::new(
                    "config",
                    Outcome::Fail(format!(
                        "{e:#}. Check AWS credentials and SWITCHBOARD_TABLE, then `switchboard config push switchboard.toml`"
                    )),
                ));
                return checks;
            }
        }
    } else {
        let path = config.unwrap_or_else(|| PathBuf::from("switchboard.toml"));
        let loaded = Config::load(&path);
        let config = match loaded {
            Ok(c) => {
                checks.push(Check::new(
                    "config",
                    Outcome::Ok(format!("{} is valid", path.display())),
                ));
                c
            }
            Err(e) => {
                checks.push(Check::new(
                    "config",
                    Outcome::Fail(format!(
                        "{e}. Fix it (start from switchboard.example.toml) and run again"
                    )),
                ));
                return checks;
            }
        };
        let state = state.unwrap_or_else(|| config.state.path.clone());
        match Runtime::local(
            config,
            &LocalPaths {
                config: path,
                state: state.clone(),
            },
            Secrets::from_env(),
        ) {
            Ok(rt) => rt,
            Err(e) => {
                checks.push(Check::new(
                    "state",
                    Outcome::Fail(format!(
                        "{e:#}. Make {} writable, or set [state] path",
                        state.display()
                    )),
                ));
                return checks;
            }
        }
    };
    let config = rt.config.get(rt.store.as_ref()).await;
    checks.extend(secrets(&config, &rt.secrets, on_aws));
    checks.push(slack(&rt, &config).await);
    if let Some(token) = &rt.secrets.slack_app_token {
        checks.push(socket_mode(rt.http.client(), &config.slack.api_url, token).await);
    }
    let services =
        switchboard_trackers::Services::from_config(&config, rt.http.client(), &rt.secrets);
    for t in &config.trackers {
        checks.push(tracker(&rt, &config, &services, t).await);
    }
    checks.push(store(&rt, on_aws).await);
    checks
}

fn where_secrets_go(on_aws: bool) -> &'static str {
    if on_aws {
        "put it in the stack's secret (aws secretsmanager put-secret-value --secret-id <SecretArn output>)"
    } else {
        "export it in the environment"
    }
}

/// Which secrets the config needs, and whether each is there (never shown).
pub fn secrets(config: &Config, s: &Secrets, on_aws: bool) -> Vec<Check> {
    let fix = where_secrets_go(on_aws);
    // Over Socket Mode, `serve` signs what Slack sends with its own secret.
    let socket_mode = s.slack_app_token.is_some() && !on_aws;
    let mut needed: Vec<(&str, bool, bool)> = vec![
        (
            "SLACK_SIGNING_SECRET",
            s.slack_signing_secret.is_some(),
            !socket_mode,
        ),
        ("SLACK_BOT_TOKEN", s.slack_bot_token.is_some(), true),
    ];
    if config.jenkins.is_some() {
        needed.push(("JENKINS_USER", s.jenkins_user.is_some(), true));
        needed.push(("JENKINS_TOKEN", s.jenkins_token.is_some(), true));
    }
    if !config.bridge.projects.is_empty() {
        // Each webhook route refuses everything without its secret; one of
        // the two providers is usually enough.
        needed.push((
            "BITBUCKET_WEBHOOK_SECRET",
            s.bitbucket_webhook_secret.is_some(),
            false,
        ));
        needed.push((
            "GITHUB_WEBHOOK_SECRET",
            s.github_webhook_secret.is_some(),
            false,
        ));
    }
    let mut checks: Vec<Check> = needed
        .into_iter()
        .map(|(name, present, required)| {
            let outcome = match (present, required) {
                (true, _) => Outcome::Ok("set".into()),
                (false, true) => Outcome::Fail(format!("missing: {fix}")),
                (false, false) if name == "SLACK_SIGNING_SECRET" => Outcome::Ok(
                    "not needed: Socket Mode (SLACK_APP_TOKEN) needs no public route".into(),
                ),
                (false, false) => {
                    Outcome::Warn(format!("missing, so that route refuses everything: {fix}"))
                }
            };
            Check::new(format!("secret {name}"), outcome)
        })
        .collect();
    for t in &config.trackers {
        let (user, token) = (
            s.tracker(&t.name, "USER").is_some(),
            s.tracker(&t.name, "TOKEN").is_some(),
        );
        // What each kind needs: Trac may be public, Yandex takes a token only.
        let needs_user = matches!(
            t.kind,
            TrackerKind::Codebase | TrackerKind::Trello | TrackerKind::Jira
        );
        let needs_token = t.kind != TrackerKind::Trac;
        let missing: Vec<String> = [
            (needs_user && !user).then(|| tracker_var(&t.name, "USER")),
            (needs_token && !token).then(|| tracker_var(&t.name, "TOKEN")),
        ]
        .into_iter()
        .flatten()
        .collect();
        let outcome = if t.kind == TrackerKind::Trac && !(user && token) {
            Outcome::Ok(format!(
                "none set: fine for a public Trac; one behind a login needs {} and {}",
                tracker_var(&t.name, "USER"),
                tracker_var(&t.name, "TOKEN")
            ))
        } else if missing.is_empty() {
            Outcome::Ok("credentials set".into())
        } else {
            Outcome::Fail(format!("missing {}: {fix}", missing.join(" and ")))
        };
        checks.push(Check::new(format!("secret tracker {}", t.name), outcome));
    }
    checks
}

async fn slack(rt: &Runtime, config: &Config) -> Check {
    if rt.secrets.slack_bot_token.is_none() {
        return Check::new(
            "slack",
            Outcome::Fail("no bot token to test (SLACK_BOT_TOKEN)".into()),
        );
    }
    match tokio::time::timeout(CHECK_TIMEOUT, rt.slack(config).auth_test()).await {
        Ok(Ok((team, user))) => Check::new(
            "slack",
            Outcome::Ok(format!("auth.test: bot {user:?} in workspace {team:?}")),
        ),
        Ok(Err(e)) => Check::new(
            "slack",
            Outcome::Fail(format!(
                "auth.test failed: {e}. Check SLACK_BOT_TOKEN (the app's Bot User OAuth Token, xoxb-…) and slack.api_url"
            )),
        ),
        Err(_) => Check::new(
            "slack",
            Outcome::Fail(format!(
                "auth.test did not answer within {}s; check the network and slack.api_url",
                CHECK_TIMEOUT.as_secs()
            )),
        ),
    }
}

/// The app-level token opens a Socket Mode connection; the URL Slack
/// gives back is not kept (its ticket would let anyone connect once).
async fn socket_mode(http: &reqwest::Client, api_url: &str, token: &Secret) -> Check {
    let name = "slack socket mode";
    match tokio::time::timeout(CHECK_TIMEOUT, crate::socket::open(http, api_url, token)).await {
        Ok(Ok(_)) => Check::new(name, Outcome::Ok("apps.connections.open: OK".into())),
        Ok(Err(e)) => Check::new(
            name,
            Outcome::Fail(format!(
                "apps.connections.open failed: {e}. Check SLACK_APP_TOKEN (an app-level token, xapp-…, with connections:write) and that Socket Mode is on for the app"
            )),
        ),
        Err(_) => Check::new(
            name,
            Outcome::Fail(format!(
                "apps.connections.open did not answer within {}s; check the network and slack.api_url",
                CHECK_TIMEOUT.as_secs()
            )),
        ),
    }
}

/// A tracker is reachable and takes the credentials: the scanner's first
/// page where it scans one, else an HTTP answer from its API base.
async fn tracker(
    rt: &Runtime,
    config: &Config,
    services: &switchboard_trackers::Services,
    t: &switchboard_core::config::TrackerConfig,
) -> Check {
    let name = format!("tracker {}", t.name);
    if let (Some(p), Some(lister)) = (
        config.scanner.projects.iter().find(|p| p.tracker == t.name),
        services.lister(&t.name),
    ) {
        let read = tokio::time::timeout(CHECK_TIMEOUT, lister.list_page(&p.project, &p.query, 1));
        return Check::new(
            name,
            match read.await {
                Ok(Ok(page)) => Outcome::Ok(format!(
                    "listed {}: {} ticket(s) on the first page",
                    p.label(),
                    page.map_or(0, |p| p.len())
                )),
                Ok(Err(e)) => Outcome::Fail(format!(
                    "listing {} failed: {e}. Check its url/api_url and {} / {}",
                    p.label(),
                    tracker_var(&t.name, "USER"),
                    tracker_var(&t.name, "TOKEN")
                )),
                Err(_) => Outcome::Fail(format!(
                    "no answer within {}s from {}",
                    CHECK_TIMEOUT.as_secs(),
                    t.api_url.as_deref().unwrap_or(&t.url)
                )),
            },
        );
    }
    let base = t.api_url.as_deref().unwrap_or(&t.url);
    match tokio::time::timeout(CHECK_TIMEOUT, rt.http.client().get(base).send()).await {
        Ok(Ok(resp)) => Check::new(
            name,
            Outcome::Ok(format!("{base} answers (HTTP {})", resp.status().as_u16())),
        ),
        Ok(Err(e)) => Check::new(
            name,
            Outcome::Fail(format!(
                "{base} is unreachable ({}); check url/api_url and the network",
                switchboard_core::slack::api::transport_causes(&e)
            )),
        ),
        Err(_) => Check::new(
            name,
            Outcome::Fail(format!(
                "{base} did not answer within {}s",
                CHECK_TIMEOUT.as_secs()
            )),
        ),
    }
}

async fn store(rt: &Runtime, on_aws: bool) -> Check {
    let probe = Key::new("doctor", "probe");
    match tokio::time::timeout(CHECK_TIMEOUT, rt.store.get(&probe)).await {
        Ok(Ok(_)) => Check::new(
            "state",
            Outcome::Ok(if on_aws {
                "the DynamoDB table answers".into()
            } else {
                "the state file is readable".into()
            }),
        ),
        Ok(Err(e)) => Check::new(
            "state",
            Outcome::Fail(format!(
                "{e}. On AWS check SWITCHBOARD_TABLE and dynamodb:GetItem; locally the [state] path"
            )),
        ),
        Err(_) => Check::new(
            "state",
            Outcome::Fail("the store did not answer in time".into()),
        ),
    }
}

#[cfg(test)]
mod tests;
