//! Slack: request verification, slash-command forms, the Web API and
//! `response_url` follow-ups. Only this module knows Slack's wire formats.

pub mod api;
pub mod card;
pub mod command;
pub mod events;
pub mod verify;

pub use api::{Chat, ChatError, SlackWebApi, UnfurlTarget};
pub use card::Card;
pub use command::{ResponseUrl, SlashCommand};

/// A message as the core composes it: mrkdwn text, seen by the person
/// alone or by the whole channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub visibility: Visibility,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Ephemeral,
    InChannel,
}

impl Message {
    pub fn ephemeral(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            visibility: Visibility::Ephemeral,
        }
    }

    pub fn in_channel(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            visibility: Visibility::InChannel,
        }
    }

    /// The JSON body of an immediate reply or a `response_url` post.
    pub fn to_response_json(&self) -> serde_json::Value {
        serde_json::json!({
            "response_type": match self.visibility {
                Visibility::Ephemeral => "ephemeral",
                Visibility::InChannel => "in_channel",
            },
            "text": self.text,
        })
    }
}

/// Escapes the three characters Slack's mrkdwn treats as control characters.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_control_characters() {
        assert_eq!(
            escape("<@U1> & <!channel>"),
            "&lt;@U1&gt; &amp; &lt;!channel&gt;"
        );
        assert_eq!(escape("plain"), "plain");
    }

    #[test]
    fn response_json_carries_visibility() {
        assert_eq!(
            Message::ephemeral("x").to_response_json()["response_type"],
            "ephemeral"
        );
        assert_eq!(
            Message::in_channel("x").to_response_json()["response_type"],
            "in_channel"
        );
    }
}
