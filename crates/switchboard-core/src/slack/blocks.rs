//! The Block Kit Switchboard sends, typed: a message is built from these
//! and only this module writes Block Kit JSON, cutting every text to
//! Slack's limits as it does, so no caller can exceed them.

use serde_json::{Value, json};

use crate::text::{Cut, shorten};

/// Block Kit limits we render within.
pub const MAX_TEXT: usize = 3000;
pub const MAX_FIELD: usize = 2000;
pub const MAX_FIELDS: usize = 10;
pub const MAX_BLOCKS: usize = 50;
pub const MAX_CONTEXT_ELEMENTS: usize = 10;
pub const MAX_ACTIONS: usize = 25;
pub const MAX_BUTTON_TEXT: usize = 75;
pub const MAX_BUTTON_VALUE: usize = 2000;

/// One block of a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A mrkdwn text, with up to ten short fields beside it.
    Section {
        text: Option<String>,
        fields: Vec<String>,
    },
    /// Small mrkdwn print.
    Context(Vec<String>),
    /// A row of buttons.
    Actions(Vec<Button>),
    Divider,
}

/// A message button: what Slack sends back to the interactions route is
/// its `action_id` and `value`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Button {
    pub text: String,
    pub action_id: String,
    pub value: String,
    pub style: Option<Style>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Primary,
    Danger,
}

impl Block {
    /// A section of mrkdwn text.
    pub fn section(text: impl Into<String>) -> Self {
        Self::Section {
            text: Some(text.into()),
            fields: Vec::new(),
        }
    }

    /// A section of fields alone.
    pub fn fields(fields: Vec<String>) -> Self {
        Self::Section { text: None, fields }
    }

    /// One line of small print.
    pub fn context(text: impl Into<String>) -> Self {
        Self::Context(vec![text.into()])
    }

    fn to_json(&self) -> Value {
        let mrkdwn =
            |text: &str, max| json!({"type": "mrkdwn", "text": shorten(text, max, Cut::Ellipsis)});
        match self {
            Self::Section { text, fields } => {
                let mut block = json!({"type": "section"});
                if let Some(text) = text {
                    block["text"] = mrkdwn(text, MAX_TEXT);
                }
                if !fields.is_empty() {
                    block["fields"] = fields
                        .iter()
                        .take(MAX_FIELDS)
                        .map(|f| mrkdwn(f, MAX_FIELD))
                        .collect();
                }
                block
            }
            Self::Context(elements) => json!({
                "type": "context",
                "elements": elements
                    .iter()
                    .take(MAX_CONTEXT_ELEMENTS)
                    .map(|e| mrkdwn(e, MAX_TEXT))
                    .collect::<Vec<_>>(),
            }),
            Self::Actions(buttons) => json!({
                "type": "actions",
                "elements": buttons.iter().take(MAX_ACTIONS).map(Button::to_json).collect::<Vec<_>>(),
            }),
            Self::Divider => json!({"type": "divider"}),
        }
    }
}

impl Button {
    pub fn new(
        text: impl Into<String>,
        action_id: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        Self {
            text: text.into(),
            action_id: action_id.into(),
            value: value.into(),
            style: None,
        }
    }

    #[must_use]
    pub fn primary(mut self) -> Self {
        self.style = Some(Style::Primary);
        self
    }

    #[must_use]
    pub fn danger(mut self) -> Self {
        self.style = Some(Style::Danger);
        self
    }

    fn to_json(&self) -> Value {
        let mut button = json!({
            "type": "button",
            "text": {"type": "plain_text", "text": shorten(&self.text, MAX_BUTTON_TEXT, Cut::Ellipsis)},
            "action_id": self.action_id,
            "value": shorten(&self.value, MAX_BUTTON_VALUE, Cut::Plain),
        });
        if let Some(style) = self.style {
            button["style"] = match style {
                Style::Primary => "primary",
                Style::Danger => "danger",
            }
            .into();
        }
        button
    }
}

/// The blocks as Slack reads them, at most [`MAX_BLOCKS`].
pub fn to_json(blocks: &[Block]) -> Value {
    blocks.iter().take(MAX_BLOCKS).map(Block::to_json).collect()
}

#[cfg(test)]
mod tests;
