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
    pub jenkins_user: Option<Secret>,
    pub jenkins_token: Option<Secret>,
}

/// The names used both as environment variables and as keys of the AWS
/// Secrets Manager JSON secret.
pub const NAMES: [&str; 4] = [
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "JENKINS_USER",
    "JENKINS_TOKEN",
];

/// The environment variable naming the Secrets Manager secret on AWS.
pub const SECRET_ID_VAR: &str = "SWITCHBOARD_SECRET_ID";

impl Secrets {
    /// Builds the set from any lookup (environment, JSON object, test map).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| lookup(name).filter(|v| !v.is_empty()).map(Secret::new);
        Self {
            slack_signing_secret: get(NAMES[0]),
            slack_bot_token: get(NAMES[1]),
            jenkins_user: get(NAMES[2]),
            jenkins_token: get(NAMES[3]),
        }
    }

    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Parses the JSON object stored in Secrets Manager.
    pub fn from_json(text: &str) -> anyhow::Result<Self> {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
            .context("the Switchboard secret is not a JSON object of strings")?;
        Ok(Self::from_lookup(|name| {
            map.get(name).and_then(|v| v.as_str()).map(str::to_owned)
        }))
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
        Ok(Self {
            slack_signing_secret: env.slack_signing_secret.or(stored.slack_signing_secret),
            slack_bot_token: env.slack_bot_token.or(stored.slack_bot_token),
            jenkins_user: env.jenkins_user.or(stored.jenkins_user),
            jenkins_token: env.jenkins_token.or(stored.jenkins_token),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn bad_json_is_a_clear_error() {
        let err = Secrets::from_json("[1,2]").expect_err("not an object");
        assert!(err.to_string().contains("JSON object"));
    }
}
