//! `[slack]`: the API's address, the slash command and the workspaces served.

use serde::Deserialize;
use toml::Spanned;

use super::Checker;
use crate::ids::TeamId;

pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub api_url: String,
    pub command: String,
    /// The workspaces whose requests are served; empty serves any, so a
    /// Slack Connect channel also admits other workspaces' members.
    pub team_ids: Vec<TeamId>,
    /// How long a confirmation prompt's buttons work, in seconds.
    pub confirm_seconds: i64,
}

/// A prompt lasts 5 minutes unless the config says otherwise…
pub const DEFAULT_CONFIRM_SECONDS: i64 = 300;
/// …and at most 30, as long as Slack lets its response_url answer.
pub const MAX_CONFIRM_SECONDS: i64 = 1800;

impl SlackConfig {
    /// Whether a request from this workspace is served.
    pub fn admits_team(&self, team: Option<&TeamId>) -> bool {
        self.team_ids.is_empty() || team.is_some_and(|t| self.team_ids.contains(t))
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSlack {
    api_url: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    #[serde(default)]
    team_ids: Vec<Spanned<String>>,
    confirm_seconds: Option<Spanned<i64>>,
}

pub(super) fn check(raw: &RawSlack, c: &mut Checker<'_>) -> SlackConfig {
    let api_url = match &raw.api_url {
        Some(v) => c.url(v, "slack.api_url"),
        None => DEFAULT_SLACK_API_URL.to_owned(),
    };
    let command = match &raw.command {
        Some(v) if v.get_ref().starts_with('/') && v.get_ref().len() > 1 => v.get_ref().clone(),
        Some(v) => {
            c.fail(
                v.span(),
                "slack.command",
                "must start with '/', like \"/example\"",
            );
            String::new()
        }
        None => "/example".to_owned(),
    };
    let team_ids = c.ids(&raw.team_ids, "slack.team_ids", TeamId::parse);
    let confirm_seconds = match &raw.confirm_seconds {
        Some(v) if (1..=MAX_CONFIRM_SECONDS).contains(v.get_ref()) => *v.get_ref(),
        Some(v) => {
            c.fail(
                v.span(),
                "slack.confirm_seconds",
                format!("must be from 1 to {MAX_CONFIRM_SECONDS} (Slack's 30 minutes)"),
            );
            DEFAULT_CONFIRM_SECONDS
        }
        None => DEFAULT_CONFIRM_SECONDS,
    };
    SlackConfig {
        api_url,
        command,
        team_ids,
        confirm_seconds,
    }
}
