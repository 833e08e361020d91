use super::*;
use crate::slack::blocks::{MAX_BLOCKS, MAX_FIELD, MAX_TEXT};

fn card() -> Card {
    Card {
        title: "#1 Checkout <fails> | EU".into(),
        url: "https://trac.example.com/ticket/1".into(),
        body: "Line one & more\nline two".into(),
        byline: None,
        fields: vec![
            ("Status".into(), "accepted".into()),
            ("Owner".into(), String::new()),
        ],
        context: "Trac · updated 2026-09-01 10:15 UTC".into(),
    }
}

#[test]
fn renders_title_link_body_fields_and_context() {
    let blocks = super::super::blocks::to_json(&card().to_blocks());
    let text = blocks[0]["text"]["text"].as_str().expect("text");
    assert!(
        text.starts_with("*<https://trac.example.com/ticket/1|#1 Checkout &lt;fails&gt; ¦ EU>*"),
        "{text}"
    );
    assert!(text.contains(">Line one &amp; more\n>line two"), "{text}");
    let fields = blocks[1]["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), 1, "empty values are skipped");
    assert_eq!(fields[0]["text"], "*Status*\naccepted");
    assert_eq!(blocks[2]["type"], "context");
}

#[test]
fn stays_within_block_kit_limits() {
    let mut c = card();
    c.body = "ж".repeat(10_000);
    c.fields = (0..20)
        .map(|i| (format!("f{i}"), "x".repeat(5000)))
        .collect();
    let blocks = super::super::blocks::to_json(&c.to_blocks());
    let text = blocks[0]["text"]["text"].as_str().expect("text");
    assert!(text.chars().count() <= MAX_TEXT);
    let fields = blocks[1]["fields"].as_array().expect("fields");
    assert_eq!(fields.len(), MAX_FIELDS);
    assert!(fields.iter().all(|f| {
        f["text"]
            .as_str()
            .is_some_and(|t| t.chars().count() <= MAX_FIELD)
    }));
    assert!(blocks.as_array().is_some_and(|b| b.len() <= MAX_BLOCKS));
}

#[test]
fn first_lines_are_cut_on_characters() {
    assert_eq!(first_lines("a\nb\nc\nd\ne\nf\ng\nh"), "a\nb\nc\nd\ne\nf\n…");
}
