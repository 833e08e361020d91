use super::*;

#[test]
fn escapes_control_characters() {
    assert_eq!(
        escape("<@U1> & <!channel>"),
        "&lt;@U1&gt; &amp; &lt;!channel&gt;"
    );
    assert_eq!(escape("plain"), "plain");
}

#[test]
fn post_json_carries_blocks_thread_and_metadata() {
    let plain = Message::in_channel("hi").to_post_json("C1");
    assert_eq!(plain, serde_json::json!({ "channel": "C1", "text": "hi" }));
    let full = Message::in_channel("hi")
        .with_blocks(vec![Block::Divider])
        .in_thread("1.2")
        .with_metadata("sb_action", serde_json::json!({ "id": "a1" }))
        .to_post_json("C1");
    assert_eq!(full["blocks"][0]["type"], "divider");
    assert_eq!(full["thread_ts"], "1.2");
    assert_eq!(full["metadata"]["event_type"], "sb_action");
    assert_eq!(full["metadata"]["event_payload"]["id"], "a1");
}

#[test]
fn response_json_carries_visibility() {
    assert_eq!(
        Message::ephemeral("x").to_response_json()["response_type"],
        "ephemeral"
    );
    assert_eq!(
        Message::in_channel("x").to_response_json()["response_type"],
        "in_channel"
    );
}
