use super::*;
use crate::action::{Entry, Named};

const WEB: &str = "https://trello.com";

fn fixture(name: &str) -> Action {
    let text = match name {
        "createCard" => include_str!("../../tests/fixtures/trello/createCard.json"),
        "updateCard-idList" => include_str!("../../tests/fixtures/trello/updateCard-idList.json"),
        "commentCard" => include_str!("../../tests/fixtures/trello/commentCard.json"),
        "checkItem-complete" => {
            include_str!("../../tests/fixtures/trello/updateCheckItemStateOnCard-complete.json")
        }
        "checkItem-incomplete" => {
            include_str!("../../tests/fixtures/trello/updateCheckItemStateOnCard-incomplete.json")
        }
        other => panic!("no fixture {other}"),
    };
    match crate::trello::parse(serde_json::from_str(text).expect("fixture JSON")) {
        Some(Entry::Post(a)) => *a,
        other => panic!("{name} should be postable, got {other:?}"),
    }
}

#[test]
fn each_action_type_reads_as_who_did_what_with_a_card_link() {
    let check = |name: &str, expected: &str| {
        let got = line(&fixture(name), WEB, COMMENT_CHARS);
        assert_eq!(got, expected, "fixture {name}");
    };
    check(
        "createCard",
        "*Ольга Смирнова* created <https://trello.com/c/pLmNb2Qa|Translate the reset email> in *To Do*",
    );
    check(
        "updateCard-idList",
        "*Ольга Смирнова* moved <https://trello.com/c/pLmNb2Qa|Translate the reset email> from *To Do* to *In Review*",
    );
    check(
        "commentCard",
        "*bob_dev* commented on <https://trello.com/c/pLmNb2Qa|Translate the reset email>:\n\
             >Checked on mobile &amp; desktop: the link works.\n>Subject still says &lt;Reset&gt;.",
    );
    check(
        "checkItem-complete",
        "*Ольга Смирнова* checked “Translate subject” on <https://trello.com/c/pLmNb2Qa|Translate the reset email>",
    );
    check(
        "checkItem-incomplete",
        "*Ольга Смирнова* unchecked “Check the link on mobile” on <https://trello.com/c/pLmNb2Qa|Translate the reset email>",
    );
}

#[test]
fn a_single_message_carries_blocks_and_its_action_id() {
    let a = fixture("createCard");
    let m = single(&a, "board1", WEB);
    let body = m.to_post_json("C1");
    assert_eq!(body["blocks"][0]["text"]["type"], "mrkdwn");
    assert_eq!(body["metadata"]["event_type"], EVENT_TYPE);
    assert!(marker(&body).names(&a.id));
    assert!(body.get("thread_ts").is_none());
}

#[test]
fn a_long_comment_is_cut_to_fit_a_section() {
    let mut a = fixture("commentCard");
    let long = "<&> ".repeat(5000);
    a.what = What::Commented {
        text: long,
        list: None,
    };
    let text = line(&a, WEB, COMMENT_CHARS);
    assert!(text.chars().count() <= SECTION_CHARS, "{}", text.len());
    assert!(text.ends_with('…'));
    // The cut never splits an escape sequence.
    assert!(!text.contains("&a…") && !text.contains("&l…"));
    let batch_line = line(&a, WEB, BATCH_COMMENT_CHARS);
    assert!(batch_line.chars().count() < 450);
}

#[test]
fn a_quote_too_small_for_one_escaped_character_is_an_ellipsis() {
    assert_eq!(quote("&", 2), ">…");
    assert_eq!(quote("&", 1), "");
    assert_eq!(quote("a", 2), ">a");
}

#[test]
fn summaries_count_by_kind_and_batches_list_their_ids() {
    let all = [
        fixture("createCard"),
        fixture("createCard"),
        fixture("updateCard-idList"),
        fixture("commentCard"),
    ];
    let refs: Vec<&Action> = all.iter().collect();
    let s = summary(&refs, "b1", &all[0].id).to_post_json("C1");
    let text = s["text"].as_str().expect("text");
    assert!(
        text.starts_with(
            "*4 Trello updates on Website*: 2 cards created, 1 card moved, 1 comment."
        ),
        "{text}"
    );
    assert!(marker(&s).is_summary(&all[0].id));

    let b = batch(&refs[2..], "b1", WEB, "1.5").to_post_json("C1");
    assert_eq!(b["thread_ts"], "1.5");
    assert_eq!(b["blocks"].as_array().map(Vec::len), Some(2));
    let m = marker(&b);
    assert!(m.names(&all[2].id) && m.names(&all[3].id));
    assert!(!m.names(&ActionId::at(0)) && !m.is_summary(&all[2].id));
}

/// The marker a posted body carries, read back as a later run would.
fn marker(body: &serde_json::Value) -> Marker {
    Marker::read(&Metadata {
        event_type: body["metadata"]["event_type"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        payload: body["metadata"]["event_payload"].clone(),
    })
    .expect("a poller marker")
}

#[test]
fn another_apps_metadata_is_no_marker() {
    let other = Metadata {
        event_type: "someone_else".into(),
        payload: json!({ "actions": "a1" }),
    };
    assert_eq!(Marker::read(&other), None);
}

#[test]
fn odd_names_are_escaped_and_a_card_without_a_link_is_bold() {
    let mut a = fixture("createCard");
    a.who = "<!channel>".into();
    a.card.short_link = None;
    a.card.id = String::new();
    a.what = What::Created {
        list: Some(Named {
            id: "l".into(),
            name: "A & B".into(),
        }),
    };
    assert_eq!(
        line(&a, WEB, 10),
        "*&lt;!channel&gt;* created *Translate the reset email* in *A &amp; B*"
    );
}
