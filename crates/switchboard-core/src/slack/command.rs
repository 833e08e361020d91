//! The slash-command form Slack posts, turned into a domain value.

use serde::Deserialize;

use crate::ids::{ChannelId, TeamId, UserId, serde_via_parse};

/// Where follow-ups to one command go; valid for 30 minutes and 5 posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseUrl(String);

impl ResponseUrl {
    pub fn parse(value: &str) -> Result<Self, CommandFormError> {
        if value.starts_with("https://") || value.starts_with("http://") {
            Ok(Self(value.to_owned()))
        } else {
            Err(CommandFormError::Field("response_url"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

serde_via_parse!(ResponseUrl, CommandFormError);

/// A slash command as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    pub team: TeamId,
    pub user: UserId,
    pub user_name: String,
    pub channel: ChannelId,
    pub command: String,
    pub text: String,
    pub response_url: ResponseUrl,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandFormError {
    #[error("the request body is not a slash-command form")]
    NotAForm,
    #[error("the slash-command form has a missing or malformed `{0}`")]
    Field(&'static str),
}

#[derive(Deserialize)]
struct Wire {
    team_id: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    user_name: String,
    channel_id: Option<String>,
    command: Option<String>,
    #[serde(default)]
    text: String,
    response_url: Option<String>,
}

/// Longest command text we look at; Slack itself caps messages far below.
const MAX_TEXT: usize = 4000;

impl SlashCommand {
    /// Parses the `application/x-www-form-urlencoded` body.
    pub fn from_form(body: &[u8]) -> Result<Self, CommandFormError> {
        let wire: Wire =
            serde_urlencoded::from_bytes(body).map_err(|_| CommandFormError::NotAForm)?;
        let need = |v: Option<String>, name| {
            v.filter(|s| !s.is_empty())
                .ok_or(CommandFormError::Field(name))
        };
        let team = TeamId::parse(&need(wire.team_id, "team_id")?)
            .map_err(|_| CommandFormError::Field("team_id"))?;
        let user = UserId::parse(&need(wire.user_id, "user_id")?)
            .map_err(|_| CommandFormError::Field("user_id"))?;
        let channel = ChannelId::parse(&need(wire.channel_id, "channel_id")?)
            .map_err(|_| CommandFormError::Field("channel_id"))?;
        let command = need(wire.command, "command")?;
        if !command.starts_with('/') {
            return Err(CommandFormError::Field("command"));
        }
        let response_url = ResponseUrl::parse(&need(wire.response_url, "response_url")?)?;
        if wire.text.len() > MAX_TEXT {
            return Err(CommandFormError::Field("text"));
        }
        Ok(Self {
            team,
            user,
            user_name: wire.user_name,
            channel,
            command,
            text: wire.text,
            response_url,
        })
    }

    /// Encodes the form, as Slack would send it (used by `switchboard send`).
    pub fn to_form(&self) -> String {
        serde_urlencoded::to_string([
            ("team_id", self.team.as_str()),
            ("user_id", self.user.as_str()),
            ("user_name", self.user_name.as_str()),
            ("channel_id", self.channel.as_str()),
            ("command", self.command.as_str()),
            ("text", self.text.as_str()),
            ("response_url", self.response_url.as_str()),
        ])
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
