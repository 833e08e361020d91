use super::*;

#[test]
fn renders_each_kind_as_block_kit() {
    let json = to_json(&[
        Block::section("*hi*"),
        Block::fields(vec!["*a*\n1".into()]),
        Block::context("small"),
        Block::Actions(vec![
            Button::new("Go", "sb_go", "v1").primary(),
            Button::new("Stop", "sb_stop", "v2").danger(),
            Button::new("Later", "sb_later", "v3"),
        ]),
        Block::Divider,
    ]);
    assert_eq!(
        json,
        json!([
            {"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}},
            {"type": "section", "fields": [{"type": "mrkdwn", "text": "*a*\n1"}]},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "small"}]},
            {"type": "actions", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Go"},
                 "action_id": "sb_go", "value": "v1", "style": "primary"},
                {"type": "button", "text": {"type": "plain_text", "text": "Stop"},
                 "action_id": "sb_stop", "value": "v2", "style": "danger"},
                {"type": "button", "text": {"type": "plain_text", "text": "Later"},
                 "action_id": "sb_later", "value": "v3"},
            ]},
            {"type": "divider"},
        ])
    );
}

#[test]
fn nothing_rendered_exceeds_slacks_limits() {
    let long = "ж".repeat(10_000);
    let mut blocks = vec![
        Block::Section {
            text: Some(long.clone()),
            fields: vec![long.clone(); 20],
        },
        Block::Context(vec![long.clone(); 20]),
        Block::Actions(vec![Button::new(long.clone(), "a", long.clone()); 40]),
    ];
    blocks.extend(std::iter::repeat_n(Block::Divider, 60));
    let json = to_json(&blocks);
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    let chars = |v: &Value| v.as_str().map_or(0, |s| s.chars().count());
    assert_eq!(count(&json), MAX_BLOCKS);
    assert_eq!(chars(&json[0]["text"]["text"]), MAX_TEXT);
    assert_eq!(count(&json[0]["fields"]), MAX_FIELDS);
    assert_eq!(chars(&json[0]["fields"][0]["text"]), MAX_FIELD);
    assert_eq!(count(&json[1]["elements"]), MAX_CONTEXT_ELEMENTS);
    assert_eq!(count(&json[2]["elements"]), MAX_ACTIONS);
    assert_eq!(
        chars(&json[2]["elements"][0]["text"]["text"]),
        MAX_BUTTON_TEXT
    );
    assert_eq!(chars(&json[2]["elements"][0]["value"]), MAX_BUTTON_VALUE);
}
