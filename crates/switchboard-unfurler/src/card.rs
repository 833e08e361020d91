//! A ticket view becomes a card.

use switchboard_core::clock::format_utc;
use switchboard_core::slack::Card;
use switchboard_core::slack::card::first_lines;
use switchboard_core::text::{Cut, shorten};
use switchboard_trackers::TicketView;

/// The card for a shared link: the ticket, or the comment it points at.
pub fn card(view: &TicketView, kind_label: &str, link: &str) -> Card {
    let t = &view.ticket;
    let field = |label: &str, v: &Option<String>| (label.to_owned(), v.clone().unwrap_or_default());
    let updated = t
        .updated_at
        .map(|at| format!(" · updated {}", format_utc(at)))
        .unwrap_or_default();
    match &view.comment {
        None => Card {
            title: format!("{} {}", t.display_id, t.summary),
            url: t.url.clone(),
            body: first_lines(&t.description),
            byline: None,
            fields: vec![
                field("Status", &t.status),
                field("Type", &t.kind),
                field("Priority", &t.priority),
                field("Owner", &t.owner),
                field("Reporter", &t.reporter),
                field("Milestone", &t.milestone),
            ],
            context: format!("{kind_label}{updated}"),
        },
        Some(c) => Card {
            title: format!("Comment {} on {} {}", c.number, t.display_id, t.summary),
            url: link.to_owned(),
            body: if c.text.trim().is_empty() {
                "(no text)".to_owned()
            } else {
                shorten(c.text.trim(), 1500, Cut::Ellipsis)
            },
            byline: Some(match c.at {
                Some(at) => format!("{} · {}", c.author, format_utc(at)),
                None => c.author.clone(),
            }),
            fields: vec![field("Status", &t.status), field("Owner", &t.owner)],
            context: format!("{kind_label} · {}{updated}", t.display_id),
        },
    }
}

#[cfg(test)]
mod tests;
