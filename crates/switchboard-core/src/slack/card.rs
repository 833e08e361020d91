//! Ticket cards for link unfurls, and their Block Kit rendering. The card
//! is domain data; only `to_blocks` knows Slack's layout and limits.

use super::blocks::{Block, MAX_FIELDS};
use super::escape;
use crate::text::{Cut, shorten};

/// How much of a description a card shows.
const BODY_LINES: usize = 6;
const BODY_CHARS: usize = 600;

/// What a card says, as plain text (escaping happens when rendering).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Card {
    /// The headline, linked to `url`.
    pub title: String,
    pub url: String,
    /// Shown under the title: the first lines of a description, or a comment.
    pub body: String,
    /// A line above the body, e.g. a comment's author and time.
    pub byline: Option<String>,
    /// Label and value pairs (status, owner, …); empty values are skipped.
    pub fields: Vec<(String, String)>,
    /// Small print at the bottom: tracker, last change.
    pub context: String,
}

/// The first lines of a text, within the card's budget.
pub fn first_lines(text: &str) -> String {
    let lines: Vec<&str> = text.trim().lines().collect();
    let mut out = lines
        .iter()
        .take(BODY_LINES)
        .copied()
        .collect::<Vec<_>>()
        .join("\n");
    if lines.len() > BODY_LINES {
        out.push_str("\n…");
    }
    shorten(&out, BODY_CHARS, Cut::Ellipsis)
}

/// `<url|text>` with the text made safe for a link label.
pub fn link(url: &str, text: &str) -> String {
    format!(
        "<{}|{}>",
        url.replace(['<', '>', '|'], ""),
        escape(text).replace('|', "¦")
    )
}

impl Card {
    /// The card as blocks: the linked title, byline and quoted body, the
    /// fields, then the small print.
    pub fn to_blocks(&self) -> Vec<Block> {
        let mut head = format!(
            "*{}*",
            link(&self.url, &shorten(&self.title, 300, Cut::Ellipsis))
        );
        if let Some(by) = &self.byline {
            head.push('\n');
            head.push_str(&escape(&shorten(by, 300, Cut::Ellipsis)));
        }
        let body = self.body.trim();
        if !body.is_empty() {
            let quoted: Vec<String> = escape(body).lines().map(|l| format!(">{l}")).collect();
            head.push('\n');
            head.push_str(&quoted.join("\n"));
        }
        let mut blocks = vec![Block::section(head)];
        let fields: Vec<String> = self
            .fields
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .take(MAX_FIELDS)
            .map(|(k, v)| format!("*{}*\n{}", escape(k), escape(v)))
            .collect();
        if !fields.is_empty() {
            blocks.push(Block::fields(fields));
        }
        if !self.context.is_empty() {
            blocks.push(Block::context(escape(&self.context)));
        }
        blocks
    }
}

#[cfg(test)]
mod tests;
