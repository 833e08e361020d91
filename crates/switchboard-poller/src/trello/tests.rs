use super::*;

#[test]
fn ids_sort_by_time_and_a_time_makes_a_cursor() {
    assert!(ActionId::parse("6634b9a4c0ffee0000000001").is_some());
    assert!(ActionId::parse("6634B9A4C0FFEE0000000001").is_none());
    assert!(ActionId::parse("6634b9a4").is_none());
    let cursor = ActionId::at(1_714_731_428);
    assert_eq!(cursor.as_str(), "6634b9a40000000000000000");
    let later = ActionId::parse("6634b9a40000000000000001").expect("id");
    assert!(cursor < later);
}

#[test]
fn entries_that_cannot_be_posted_are_skipped_not_lost() {
    let skip = |v: serde_json::Value| match parse(v) {
        Some(Entry::Skip { why, .. }) => why,
        other => panic!("expected a skip, got {other:?}"),
    };
    let id = "6634b9a4c0ffee0000000001";
    assert!(
            skip(serde_json::json!({"id": id, "type": "updateCard", "data": {"card": {"id": "c", "name": "n"}, "old": {"name": "m"}}}))
                .contains("not a move")
        );
    assert!(
        skip(serde_json::json!({"id": id, "type": "deleteCard", "data": {"card": {}}}))
            .contains("deleteCard")
    );
    assert!(
        skip(serde_json::json!({"id": id, "type": "createCard", "data": {}}))
            .contains("without a card")
    );
    assert!(skip(serde_json::json!({"id": id, "type": 7})).contains("unreadable"));
    assert_eq!(
        parse(serde_json::json!({"id": "nope", "type": "createCard"})),
        None
    );
    assert_eq!(parse(serde_json::json!([1, 2])), None);
    let renamed: serde_json::Value = serde_json::from_str(include_str!(
        "../../tests/fixtures/trello/updateCard-name.json"
    ))
    .expect("fixture");
    assert!(skip(renamed).contains("not a move"));
}
