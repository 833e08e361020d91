//! Slack: request verification, slash-command forms, the Web API and
//! `response_url` follow-ups. Only this module knows Slack's wire formats.

pub mod api;
pub mod blocks;
pub mod card;
pub mod command;
pub mod events;
pub mod interaction;
pub mod job;
pub mod verify;

pub use api::{Chat, ChatError, HistoryMessage, Posted, SlackWebApi, UnfurlTarget};
pub use blocks::{Block, Button};
pub use card::Card;
pub use command::{ResponseUrl, SlashCommand};

/// A message as the core composes it: mrkdwn text, seen by the person
/// alone or by the whole channel; optionally Block Kit blocks (the text is
/// then the notification fallback), a thread to reply in, and metadata that
/// a later `conversations.history` read can find it by.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub text: String,
    pub visibility: Visibility,
    pub blocks: Vec<Block>,
    pub thread_ts: Option<String>,
    pub metadata: Option<Metadata>,
    /// What a `response_url` post does to the message it answers.
    pub original: Original,
}

/// What a `response_url` post does to the message whose button was pressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Original {
    /// Posts a new message beside it.
    #[default]
    Keep,
    /// Puts this message in its place.
    Replace,
    /// Removes it (the new message's text is then unused).
    Delete,
}

/// Slack message metadata: an event type and a small JSON payload.
#[derive(Debug, Clone, PartialEq)]
pub struct Metadata {
    pub event_type: String,
    pub payload: serde_json::Value,
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
            blocks: Vec::new(),
            thread_ts: None,
            metadata: None,
            original: Original::Keep,
        }
    }

    pub fn in_channel(text: impl Into<String>) -> Self {
        Self {
            visibility: Visibility::InChannel,
            ..Self::ephemeral(text)
        }
    }

    /// Block Kit blocks; `text` stays as the notification fallback.
    #[must_use]
    pub fn with_blocks(mut self, blocks: Vec<Block>) -> Self {
        self.blocks = blocks;
        self
    }

    /// Replaces the message whose button was pressed (`response_url` only).
    #[must_use]
    pub fn replacing_original(mut self) -> Self {
        self.original = Original::Replace;
        self
    }

    /// Removes the message whose button was pressed (`response_url` only).
    pub fn delete_original() -> Self {
        Self {
            original: Original::Delete,
            ..Self::ephemeral("")
        }
    }

    /// Posts as a reply in the thread of `ts`.
    #[must_use]
    pub fn in_thread(mut self, ts: impl Into<String>) -> Self {
        self.thread_ts = Some(ts.into());
        self
    }

    #[must_use]
    pub fn with_metadata(
        mut self,
        event_type: impl Into<String>,
        payload: serde_json::Value,
    ) -> Self {
        self.metadata = Some(Metadata {
            event_type: event_type.into(),
            payload,
        });
        self
    }

    /// The `chat.postMessage` body for `channel`.
    pub fn to_post_json(&self, channel: &str) -> serde_json::Value {
        let mut body = serde_json::json!({ "channel": channel, "text": self.text });
        if !self.blocks.is_empty() {
            body["blocks"] = self.blocks_json();
        }
        if let Some(ts) = &self.thread_ts {
            body["thread_ts"] = ts.as_str().into();
        }
        if let Some(m) = &self.metadata {
            body["metadata"] =
                serde_json::json!({ "event_type": m.event_type, "event_payload": m.payload });
        }
        body
    }

    /// The blocks as Block Kit JSON (an empty list when there are none).
    pub fn blocks_json(&self) -> serde_json::Value {
        blocks::to_json(&self.blocks)
    }

    /// The `chat.update` body for the message `ts` in `channel`.
    pub fn to_update_json(&self, channel: &str, ts: &str) -> serde_json::Value {
        let mut body = serde_json::json!({ "channel": channel, "ts": ts, "text": self.text });
        // An update without blocks keeps the old ones; an empty list clears them.
        body["blocks"] = self.blocks_json();
        body
    }

    /// The JSON body of an immediate reply or a `response_url` post.
    pub fn to_response_json(&self) -> serde_json::Value {
        if self.original == Original::Delete {
            return serde_json::json!({ "delete_original": true });
        }
        let mut body = serde_json::json!({
            "response_type": match self.visibility {
                Visibility::Ephemeral => "ephemeral",
                Visibility::InChannel => "in_channel",
            },
            "text": self.text,
        });
        if !self.blocks.is_empty() {
            body["blocks"] = self.blocks_json();
        }
        if self.original == Original::Replace {
            body["replace_original"] = true.into();
        }
        body
    }
}

/// Escapes the three characters Slack's mrkdwn treats as control characters.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests;
