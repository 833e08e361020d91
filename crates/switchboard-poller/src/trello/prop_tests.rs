use super::*;
use crate::action::{Entry, What};
use proptest::prelude::*;
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "id",
    "type",
    "data",
    "memberCreator",
    "fullName",
    "username",
    "board",
    "card",
    "list",
    "listBefore",
    "listAfter",
    "text",
    "checkItem",
    "name",
    "state",
    "complete",
    "incomplete",
    "shortLink",
    "createCard",
    "updateCard",
    "commentCard",
    "updateCheckItemStateOnCard",
    "deleteCard",
    "6634b9a4c0ffee0000000001",
    "aBcD1234",
];

/// An action object with the fields Trello sends, each present or not.
fn action() -> impl Strategy<Value = serde_json::Value> {
    let field =
        |name: &'static str| proptest::option::of(prop::json(WORDS)).prop_map(move |v| (name, v));
    (
        prop_oneof![
            Just("6634b9a4c0ffee0000000001".to_owned()),
            "[0-9a-fA-F]{23,25}",
            prop::word(WORDS),
        ],
        prop::word(WORDS),
        proptest::collection::vec(
            prop_oneof![
                field("board"),
                field("card"),
                field("list"),
                field("listBefore"),
                field("listAfter"),
                field("text"),
                field("checkItem"),
            ],
            0..6,
        ),
        proptest::option::of(prop::json(WORDS)),
    )
        .prop_map(|(id, kind, data, member)| {
            let data: serde_json::Map<_, _> = data
                .into_iter()
                .filter_map(|(k, v)| Some((k.to_owned(), v?)))
                .collect();
            serde_json::json!({
                "id": id, "type": kind, "data": data, "memberCreator": member,
            })
        })
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_action_is_posted_skipped_or_left_out(raw in prop_oneof![prop::json(WORDS), action()]) {
        let id = raw.get("id").and_then(|v| v.as_str()).map(str::to_owned);
        match parse(raw) {
            None => prop_assert!(id.as_deref().and_then(ActionId::parse).is_none()),
            Some(Entry::Skip { id: got, .. }) => prop_assert_eq!(Some(got.as_str()), id.as_deref()),
            Some(Entry::Post(action)) => {
                prop_assert_eq!(Some(action.id.as_str()), id.as_deref());
                prop_assert!(!action.who.trim().is_empty());
                if let Some(link) = &action.card.short_link {
                    prop_assert!(!link.is_empty() && link.bytes().all(|b| b.is_ascii_alphanumeric()));
                }
                if let What::Moved { .. } = action.what {
                    prop_assert_eq!(action.what.kind(), switchboard_core::config::TrelloActionKind::MoveCard);
                }
            }
        }
    }
}
