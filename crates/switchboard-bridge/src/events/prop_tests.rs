use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "actor",
    "display_name",
    "pullrequest",
    "title",
    "description",
    "source",
    "branch",
    "name",
    "links",
    "html",
    "href",
    "action",
    "closed",
    "submitted",
    "pull_request",
    "review",
    "state",
    "approved",
    "changes_requested",
    "sender",
    "login",
    "body",
    "merged",
    "head",
    "ref",
    "html_url",
    "SHOP-12",
];
const EVENTS: &[&str] = &[
    "pullrequest:fulfilled",
    "pullrequest:approved",
    "pullrequest:rejected",
    "pullrequest:changes_request_created",
    "pull_request",
    "pull_request_review",
    "push",
];

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..200),
        prop::json(WORDS).prop_map(|v| v.to_string().into_bytes()),
    ]
}

#[test]
fn a_long_github_action_is_cut_in_the_ignored_note() {
    let body = serde_json::json!({ "action": "x".repeat(500), "pull_request": {} });
    let Err(EventError::Ignored(why)) = github("pull_request", body.to_string().as_bytes()) else {
        panic!("expected an ignored event");
    };
    assert_eq!(why, format!("pull_request {}", "x".repeat(64)));
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_payload_is_an_event_or_an_error(event in prop::word(EVENTS), body in body()) {
        for result in [bitbucket(&event, &body), github(&event, &body)] {
            if let Err(EventError::Ignored(why)) = result {
                // What is logged of an ignored event stays short.
                prop_assert!(why.chars().count() <= 64 + 40, "{why:?}");
            }
        }
    }

    #[test]
    fn github_reviews_and_actions_of_any_text_are_read(
        event in proptest::sample::select(vec!["pull_request", "pull_request_review"]),
        action in prop_oneof![prop::word(&["closed", "submitted", "opened"]), ".{0,300}"],
        state in prop_oneof![
            prop::word(&["approved", "APPROVED", "changes_requested", "commented"]),
            ".{0,300}",
        ],
        merged in any::<bool>(),
    ) {
        let body = serde_json::json!({
            "action": action,
            "pull_request": { "title": "SHOP-1", "merged": merged },
            "review": { "state": state },
        });
        match github(event, body.to_string().as_bytes()) {
            Ok(e) => prop_assert_eq!(e.title, "SHOP-1"),
            Err(EventError::Ignored(why)) => {
                prop_assert!(why.chars().count() <= 64 + 40, "{why:?}");
            }
            Err(e) => prop_assert!(false, "{e}"),
        }
    }
}
