//! The messages: one digest DM per person, the weekly channel summary.
//! Block Kit limits (50 blocks, 3,000 characters a section) are kept here.

use switchboard_core::slack::blocks::{Block, Button, MAX_TEXT as SECTION_CHARS};
use switchboard_core::slack::card;
use switchboard_core::slack::{Message, escape};
use switchboard_core::text::{Cut, shorten};

use crate::rules::Reason;

pub use switchboard_core::ledger::{SNOOZE, STILL_VALID};

/// Tickets per digest: each takes two blocks, under Slack's 50. The rest
/// wait for the next run (they are not marked as sent).
pub const MAX_PER_DIGEST: usize = 20;

const SUMMARY_CHARS: usize = 150;

/// One ticket as a message shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The project's label (`codebase/web`).
    pub project: String,
    pub display_id: String,
    pub url: String,
    pub summary: String,
    pub reason: Reason,
    /// The ledger's name for it; the buttons carry it back.
    pub ticket_key: String,
}

fn link(line: &Line) -> String {
    card::link(&line.url, &line.display_id)
}

/// The digest for one person: tickets grouped by project, each with its
/// Snooze and Still-valid buttons. `lines` is at most [`MAX_PER_DIGEST`];
/// `more` counts those left for the next run.
pub fn digest(lines: &[Line], more: usize, snooze_days: u32) -> Message {
    let n = lines.len();
    let plural = if n == 1 { "ticket" } else { "tickets" };
    let mut blocks = vec![Block::section(format!(
        "*{n} {plural} of yours could use a look.* Update them, or tell me to leave them be."
    ))];
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by(|a, b| a.project.cmp(&b.project));
    let mut project = None;
    for line in sorted {
        if project != Some(&line.project) {
            project = Some(&line.project);
            blocks.push(Block::section(format!("*{}*", escape(&line.project))));
        }
        blocks.push(Block::section(format!(
            "{} {} — _{}_",
            link(line),
            escape(&shorten(&line.summary, SUMMARY_CHARS, Cut::Ellipsis)),
            line.reason.describe()
        )));
        blocks.push(Block::Actions(vec![
            Button::new(
                format!("Snooze {snooze_days} days"),
                SNOOZE,
                &line.ticket_key,
            ),
            Button::new("Still valid", STILL_VALID, &line.ticket_key).primary(),
        ]));
    }
    if more > 0 {
        blocks.push(Block::section(format!(
            "…and {more} more; they will come in a later digest."
        )));
    }
    let ids: Vec<&str> = lines.iter().map(|l| l.display_id.as_str()).collect();
    let text = shorten(
        &format!("{n} {plural} could use a look: {}", ids.join(", ")),
        SECTION_CHARS,
        Cut::Ellipsis,
    );
    Message::in_channel(text).with_blocks(blocks)
}

/// What the summary says about one project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectCount {
    pub project: String,
    pub stale: usize,
    pub review: usize,
    /// The oldest tickets, oldest first.
    pub oldest: Vec<Line>,
}

/// The weekly channel summary.
pub fn summary(counts: &[ProjectCount], unmapped: &[String], complete: bool) -> Message {
    let mut blocks = vec![Block::section("*Weekly ticket summary*")];
    let mut text = String::from("Weekly ticket summary:");
    // One section per project; leave room for the header and footers.
    for c in counts.iter().take(45) {
        let mut s = format!(
            "*{}*: {} stale, {} overdue in review",
            escape(&c.project),
            c.stale,
            c.review
        );
        text.push_str(&format!(
            " {}: {} stale, {} in review;",
            c.project, c.stale, c.review
        ));
        if !c.oldest.is_empty() {
            s.push_str("\nOldest:");
            for line in &c.oldest {
                s.push_str(&format!(
                    "\n• {} {} — _{}_",
                    link(line),
                    escape(&shorten(&line.summary, 80, Cut::Ellipsis)),
                    line.reason.describe()
                ));
            }
        }
        blocks.push(Block::section(s));
    }
    if counts.is_empty() {
        blocks.push(Block::section("Nothing stale or overdue. :tada:"));
        text.push_str(" nothing stale or overdue.");
    }
    if !unmapped.is_empty() {
        let names: Vec<String> = unmapped.iter().map(|u| escape(u)).collect();
        blocks.push(Block::section(format!(
            "Not told, because no Slack user matches them (add them to `[scanner.users]`): {}",
            names.join(", ")
        )));
    }
    if !complete {
        blocks.push(Block::section(
            "_This scan ran out of time; the rest of the tickets come in the next run._",
        ));
    }
    Message::in_channel(shorten(&text, SECTION_CHARS, Cut::Ellipsis)).with_blocks(blocks)
}

#[cfg(test)]
mod tests;
