use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "key",
    "fields",
    "summary",
    "status",
    "issuetype",
    "priority",
    "assignee",
    "reporter",
    "fixVersions",
    "updated",
    "description",
    "name",
    "displayName",
    "type",
    "doc",
    "content",
    "text",
    "paragraph",
    "heading",
    "bulletList",
    "listItem",
    "codeBlock",
    "hardBreak",
    "mention",
    "attrs",
    "2017-07-18T13:33:44.291+0000",
];

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_answer_is_a_ticket_or_an_error(body in prop_oneof![
        any::<String>(),
        prop::json(WORDS).prop_map(|v| v.to_string()),
    ]) {
        let _ = wire::json::<Issue>(&body).map(|i| i.into_ticket("https://acme.atlassian.net"));
    }
}
