//! Secrets: read once at start-up, never printed.

use std::fmt;

use anyhow::Context as _;

/// A secret string whose `Debug` and `Display` never show the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Every secret Switchboard knows about. Each is optional here; the code
/// that needs one reports its absence by name.
#[derive(Debug, Clone, Default)]
pub struct Secrets {
    pub slack_signing_secret: Option<Secret>,
    pub slack_bot_token: Option<Secret>,
    /// The app-level token (`xapp-…`) that lets `serve` take Slack's
    /// requests over Socket Mode; no Lambda reads it.
    pub slack_app_token: Option<Secret>,
    pub jenkins_user: Option<Secret>,
    pub jenkins_token: Option<Secret>,
    /// Tracker credentials, `TRACKER_<NAME>_USER` / `TRACKER_<NAME>_TOKEN`.
    pub trackers: std::collections::BTreeMap<String, Secret>,
    pub bitbucket_webhook_secret: Option<Secret>,
    pub github_webhook_secret: Option<Secret>,
    pub bench_webhook_secret: Option<Secret>,
}

/// The names used both as environment variables and as keys of the AWS
/// Secrets Manager JSON secret.
pub const NAMES: [&str; 8] = [
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "JENKINS_USER",
    "JENKINS_TOKEN",
    "BITBUCKET_WEBHOOK_SECRET",
    "GITHUB_WEBHOOK_SECRET",
    "BENCH_WEBHOOK_SECRET",
    "SLACK_APP_TOKEN",
];

/// Replaces every occurrence of each value in `text` with `***`. Values
/// shorter than four characters are left alone: hiding every `a` would
/// destroy the text and protect nothing.
pub fn scrub<'a>(text: &str, values: impl IntoIterator<Item = &'a str>) -> String {
    let mut values: Vec<&str> = values.into_iter().filter(|v| v.len() >= 4).collect();
    // Longest first, so a secret that contains another is hidden whole.
    values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    let mut out = text.to_owned();
    for v in values {
        out = out.replace(v, "***");
    }
    out
}

/// Tracker credentials are every variable (or secret key) with this prefix.
pub const TRACKER_PREFIX: &str = "TRACKER_";

/// The variable holding one credential of a configured tracker: the name is
/// upper-cased and anything but letters and digits becomes `_`
/// (`trac-main`, `USER` → `TRACKER_TRAC_MAIN_USER`).
pub fn tracker_var(tracker: &str, what: &str) -> String {
    let name: String = tracker
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{TRACKER_PREFIX}{name}_{what}")
}

/// The environment variable naming the Secrets Manager secret on AWS.
pub const SECRET_ID_VAR: &str = "SWITCHBOARD_SECRET_ID";

impl Secrets {
    /// Builds the set from any source of names and values (environment,
    /// JSON object, test list).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        let mut all: std::collections::BTreeMap<String, String> = pairs
            .into_iter()
            .filter(|(k, v)| {
                !v.is_empty() && (NAMES.contains(&k.as_str()) || k.starts_with(TRACKER_PREFIX))
            })
            .collect();
        let mut take = |name: &str| all.remove(name).map(Secret::new);
        let slack_signing_secret = take(NAMES[0]);
        let slack_bot_token = take(NAMES[1]);
        let jenkins_user = take(NAMES[2]);
        let jenkins_token = take(NAMES[3]);
        let bitbucket_webhook_secret = take(NAMES[4]);
        let github_webhook_secret = take(NAMES[5]);
        let bench_webhook_secret = take(NAMES[6]);
        let slack_app_token = take(NAMES[7]);
        Self {
            slack_signing_secret,
            slack_bot_token,
            slack_app_token,
            jenkins_user,
            jenkins_token,
            trackers: all.into_iter().map(|(k, v)| (k, Secret::new(v))).collect(),
            bitbucket_webhook_secret,
            github_webhook_secret,
            bench_webhook_secret,
        }
    }

    pub fn from_env() -> Self {
        Self::from_pairs(std::env::vars())
    }

    /// Every secret value held, for scrubbing text that leaves the process.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        [
            &self.slack_signing_secret,
            &self.slack_bot_token,
            &self.slack_app_token,
            &self.jenkins_user,
            &self.jenkins_token,
            &self.bitbucket_webhook_secret,
            &self.github_webhook_secret,
            &self.bench_webhook_secret,
        ]
        .into_iter()
        .flatten()
        .chain(self.trackers.values())
        .map(Secret::expose)
    }

    /// One credential of a configured tracker, e.g. `("trac", "TOKEN")`.
    pub fn tracker(&self, tracker: &str, what: &str) -> Option<&Secret> {
        self.trackers.get(&tracker_var(tracker, what))
    }

    /// Parses the JSON object stored in Secrets Manager.
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        // serde's message can quote the value it choked on, which may be a
        // secret, so only the place is kept.
        let map: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(|e| {
                anyhow::anyhow!(
                    "the Switchboard secret is not a JSON object of strings (line {}, column {})",
                    e.line(),
                    e.column()
                )
            })?;
        Ok(Self::from_pairs(map.into_iter().filter_map(|(k, v)| {
            v.as_str().map(|s| (k.clone(), s.to_owned()))
        })))
    }

    /// Reads secrets from Secrets Manager when `SWITCHBOARD_SECRET_ID` is set,
    /// otherwise from the environment. Environment values win over the
    /// stored ones so an operator can override one secret while debugging.
    pub async fn load(aws: Option<&aws_config::SdkConfig>) -> anyhow::Result<Self> {
        let env = Self::from_env();
        let Ok(id) = std::env::var(SECRET_ID_VAR) else {
            return Ok(env);
        };
        let aws =
            aws.context("SWITCHBOARD_SECRET_ID is set but no AWS configuration was loaded")?;
        let client = aws_sdk_secretsmanager::Client::new(aws);
        let out = client
            .get_secret_value()
            .secret_id(&id)
            .send()
            .await
            .with_context(|| format!("reading secret {id} from Secrets Manager"))?;
        let text = out
            .secret_string()
            .with_context(|| format!("secret {id} has no SecretString"))?;
        let stored = Self::from_json(text).with_context(|| format!("parsing secret {id}"))?;
        let mut trackers = stored.trackers;
        trackers.extend(env.trackers);
        Ok(Self {
            slack_signing_secret: env.slack_signing_secret.or(stored.slack_signing_secret),
            slack_bot_token: env.slack_bot_token.or(stored.slack_bot_token),
            slack_app_token: env.slack_app_token.or(stored.slack_app_token),
            jenkins_user: env.jenkins_user.or(stored.jenkins_user),
            jenkins_token: env.jenkins_token.or(stored.jenkins_token),
            trackers,
            bitbucket_webhook_secret: env
                .bitbucket_webhook_secret
                .or(stored.bitbucket_webhook_secret),
            github_webhook_secret: env.github_webhook_secret.or(stored.github_webhook_secret),
            bench_webhook_secret: env.bench_webhook_secret.or(stored.bench_webhook_secret),
        })
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
