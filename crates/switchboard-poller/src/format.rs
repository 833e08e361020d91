//! Slack messages for board actions: one per action, or a summary whose
//! thread holds the details in batches.

use serde_json::json;
// Block Kit caps a section's text at 3,000 characters: `MAX_TEXT`.
use switchboard_core::slack::blocks::{Block, MAX_TEXT as SECTION_CHARS};
use switchboard_core::slack::{Message, Metadata, escape};
use switchboard_core::text::{Cut, shorten};

use crate::action::{Action, ActionId, What};

/// The metadata event type every poller message carries, so a later run
/// can find what an earlier one posted.
pub const EVENT_TYPE: &str = "switchboard_trello";
/// How much of a comment a message of its own shows, and how much one line
/// of a thread batch shows (a batch has up to 25 of them).
const COMMENT_CHARS: usize = 2500;
const BATCH_COMMENT_CHARS: usize = 300;

/// A comment as a mrkdwn quote that fits in `max` characters once escaped.
fn quote(text: &str, max: usize) -> String {
    let mut budget = max;
    loop {
        let quoted: String = escape(&shorten(text, budget, Cut::Word))
            .lines()
            .map(|l| format!(">{l}"))
            .collect::<Vec<_>>()
            .join("\n");
        let len = quoted.chars().count();
        if len <= max {
            return quoted;
        }
        // Not even one escaped character fits: say there was more.
        if budget <= 1 {
            return if max >= 2 {
                ">…".to_owned()
            } else {
                String::new()
            };
        }
        budget = budget.saturating_sub(len - max).max(1);
    }
}

/// The card as a link, named.
fn card_link(action: &Action, web_url: &str) -> String {
    let path = action
        .card
        .short_link
        .as_deref()
        .unwrap_or(action.card.id.as_str());
    let name = if action.card.name.trim().is_empty() {
        "a card".to_owned()
    } else {
        escape(action.card.name.trim())
    };
    if path.is_empty() || !path.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return format!("*{name}*");
    }
    format!("<{web_url}/c/{path}|{name}>")
}

fn bold(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        "a list".into()
    } else {
        format!("*{}*", escape(name))
    }
}

/// One action as mrkdwn, comments cut to `comment_chars`.
pub fn line(action: &Action, web_url: &str, comment_chars: usize) -> String {
    let who = format!("*{}*", escape(&action.who));
    let card = card_link(action, web_url);
    let text = match &action.what {
        What::Created { list: Some(list) } => {
            format!("{who} created {card} in {}", bold(&list.name))
        }
        What::Created { list: None } => format!("{who} created {card}"),
        What::Moved { from, to } => format!(
            "{who} moved {card} from {} to {}",
            bold(&from.name),
            bold(&to.name)
        ),
        What::Commented { text, .. } => {
            let head = format!("{who} commented on {card}:\n");
            let room = comment_chars.min(SECTION_CHARS.saturating_sub(head.chars().count()));
            format!("{head}{}", quote(text, room))
        }
        What::CheckItem { item, checked } => format!(
            "{who} {} “{}” on {card}",
            if *checked { "checked" } else { "unchecked" },
            escape(&shorten(item, 300, Cut::Word))
        ),
    };
    // Names are short in practice; this keeps a pathological one inside
    // Block Kit's limit rather than having Slack refuse the message.
    shorten(&text, SECTION_CHARS, Cut::Word)
}

/// What a poller message stands for, carried in its metadata so a later
/// run can tell whether an action was already posted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Marker {
    /// The actions a message (or a thread reply) shows.
    Actions(Vec<String>),
    /// The summary of a burst, keyed by the burst's first action.
    Summary(String),
}

impl Marker {
    /// The message metadata: event type and payload, as Slack stores them.
    pub fn metadata(&self, board: &str) -> (&'static str, serde_json::Value) {
        let payload = match self {
            Self::Actions(ids) => json!({ "board": board, "actions": ids.join(",") }),
            Self::Summary(key) => json!({ "board": board, "summary": key }),
        };
        (EVENT_TYPE, payload)
    }

    /// Reads a message's metadata back; `None` for anyone else's message.
    pub fn read(meta: &Metadata) -> Option<Self> {
        if meta.event_type != EVENT_TYPE {
            return None;
        }
        if let Some(key) = meta.payload["summary"].as_str() {
            return Some(Self::Summary(key.to_owned()));
        }
        let ids = meta.payload["actions"].as_str()?;
        Some(Self::Actions(ids.split(',').map(str::to_owned).collect()))
    }

    /// Whether the message shows action `id`.
    pub fn names(&self, id: &ActionId) -> bool {
        matches!(self, Self::Actions(ids) if ids.iter().any(|i| i == id.as_str()))
    }

    /// Whether the message is the summary keyed `key`.
    pub fn is_summary(&self, key: &ActionId) -> bool {
        matches!(self, Self::Summary(k) if k == key.as_str())
    }

    fn of(ids: &[&ActionId]) -> Self {
        Self::Actions(ids.iter().map(|i| i.as_str().to_owned()).collect())
    }

    /// `message` carrying this marker.
    fn mark(&self, message: Message, board: &str) -> Message {
        let (event_type, payload) = self.metadata(board);
        message.with_metadata(event_type, payload)
    }
}

/// A message of its own for one action.
pub fn single(action: &Action, board: &str, web_url: &str) -> Message {
    let text = line(action, web_url, COMMENT_CHARS);
    let message = Message::in_channel(text.clone()).with_blocks(vec![Block::section(text)]);
    Marker::of(&[&action.id]).mark(message, board)
}

/// The summary that stands in the channel for a burst; `key` is the first
/// action of the burst, which a later run looks the summary up by.
pub fn summary(actions: &[&Action], board: &str, key: &ActionId) -> Message {
    let count = |kind: fn(&What) -> bool| actions.iter().filter(|a| kind(&a.what)).count();
    let parts: Vec<String> = [
        (
            count(|w| matches!(w, What::Created { .. })),
            "card created",
            "cards created",
        ),
        (
            count(|w| matches!(w, What::Moved { .. })),
            "card moved",
            "cards moved",
        ),
        (
            count(|w| matches!(w, What::Commented { .. })),
            "comment",
            "comments",
        ),
        (
            count(|w| matches!(w, What::CheckItem { .. })),
            "checklist item",
            "checklist items",
        ),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
    .collect();
    let board_name = actions
        .first()
        .map(|a| a.board.name.trim())
        .filter(|n| !n.is_empty())
        .map(escape)
        .unwrap_or_else(|| escape(board));
    let text = format!(
        "*{} Trello updates on {board_name}*: {}. The details are in the thread.",
        actions.len(),
        parts.join(", ")
    );
    let message = Message::in_channel(text.clone()).with_blocks(vec![Block::section(text)]);
    Marker::Summary(key.as_str().to_owned()).mark(message, board)
}

/// One thread reply holding a batch of actions, a section each.
pub fn batch(actions: &[&Action], board: &str, web_url: &str, thread_ts: &str) -> Message {
    let lines: Vec<String> = actions
        .iter()
        .map(|a| line(a, web_url, BATCH_COMMENT_CHARS))
        .collect();
    let blocks: Vec<Block> = lines.iter().map(|l| Block::section(l.clone())).collect();
    let ids: Vec<&ActionId> = actions.iter().map(|a| &a.id).collect();
    let fallback = shorten(&lines.join("\n"), SECTION_CHARS, Cut::Word);
    let message = Message::in_channel(fallback)
        .with_blocks(blocks)
        .in_thread(thread_ts);
    Marker::of(&ids).mark(message, board)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
