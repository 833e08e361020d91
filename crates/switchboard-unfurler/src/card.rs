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
mod tests {
    use super::*;
    use switchboard_trackers::{Comment, Ticket};

    fn ticket() -> Ticket {
        Ticket {
            display_id: "#1".into(),
            url: "https://trac.example.com/ticket/1".into(),
            summary: "Checkout times out".into(),
            status: Some("accepted".into()),
            owner: Some("alice".into()),
            updated_at: Some(1_788_257_700),
            description: "When paying with SEPA the page hangs.".into(),
            ..Ticket::default()
        }
    }

    #[test]
    fn a_ticket_card_shows_fields_and_description() {
        let c = card(
            &TicketView {
                ticket: ticket(),
                comment: None,
            },
            "Trac",
            "https://trac.example.com/ticket/1",
        );
        assert_eq!(c.title, "#1 Checkout times out");
        assert!(c.body.contains("SEPA"));
        assert!(c.fields.contains(&("Status".into(), "accepted".into())));
        assert_eq!(c.context, "Trac · updated 2026-09-01 10:15 UTC");
    }

    #[test]
    fn a_comment_card_shows_the_comment_with_the_ticket_as_context() {
        let view = TicketView {
            ticket: ticket(),
            comment: Some(Comment {
                number: 3,
                author: "alice".into(),
                at: Some(1_788_256_800),
                text: "Confirmed, it is the SEPA mandate call.".into(),
            }),
        };
        let link = "https://trac.example.com/ticket/1#comment:3";
        let c = card(&view, "Trac", link);
        assert_eq!(c.title, "Comment 3 on #1 Checkout times out");
        assert_eq!(c.url, link);
        assert_eq!(c.byline.as_deref(), Some("alice · 2026-09-01 10:00 UTC"));
        assert!(c.body.contains("mandate call"));
        assert!(c.context.starts_with("Trac · #1"));
    }
}
