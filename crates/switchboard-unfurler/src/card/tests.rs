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
