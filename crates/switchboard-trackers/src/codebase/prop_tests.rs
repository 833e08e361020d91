use super::*;
use proptest::prelude::*;
use switchboard_core::config::TrackerKind;
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "ticket",
    "tickets",
    "ticket-note",
    "ticket-notes",
    "content",
    "summary",
    "status",
    "name",
    "type",
    "ticket-type",
    "priority",
    "assignee",
    "reporter",
    "milestone",
    "updated-at",
    "updated_at",
    "ticket_id",
    "tags",
    "treat-as-closed",
    "treat_as_closed",
    "username",
    "2011-10-26T11:13:08+11:00",
    "12",
    "../x",
    "a b",
];

fn link() -> TicketRef {
    TicketRef {
        tracker: "codebase".into(),
        kind: TrackerKind::Codebase,
        key: "12".into(),
        project: "web".into(),
        comment: None,
        url: "https://acme.codebasehq.com/projects/web/tickets/12".into(),
    }
}

#[test]
fn a_ticket_id_that_is_not_a_whole_number_is_refused() {
    for id in ["-0.0", "1e3", "-3", "1.5"] {
        let body = format!("[{{\"ticket_id\": {id}}}]");
        assert!(list_from_json(&body, "web", "https://x").is_err(), "{id}");
    }
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn ticket_and_notes_xml_never_panic(xml in prop_oneof![any::<String>(), prop::xml(WORDS)]) {
        let _ = ticket_from(&xml, &link(), "https://acme.codebasehq.com");
        if let Ok(description) = description_from(&xml) {
            prop_assert!(description.chars().count() <= 1501);
        }
    }

    #[test]
    fn listings_never_panic_and_keys_are_path_safe(body in prop_oneof![
        any::<String>(),
        prop::json(WORDS).prop_map(|v| v.to_string()),
        proptest::collection::vec(prop::json(WORDS), 0..4)
            .prop_map(|v| serde_json::Value::Array(v).to_string()),
    ]) {
        if let Ok(listed) = list_from_json(&body, "web", "https://acme.codebasehq.com") {
            for t in listed {
                prop_assert!(crate::wire::path_safe(&t.key), "key {:?}", t.key);
            }
        }
    }
}
