use super::*;
use crate::testing::prop;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "type",
    "url_verification",
    "event_callback",
    "link_shared",
    "challenge",
    "event_id",
    "team_id",
    "event",
    "channel",
    "user",
    "message_ts",
    "unfurl_id",
    "source",
    "links",
    "url",
    "domain",
    "https://trac.example.com/ticket/1",
];

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_bytes_are_an_event_or_an_error(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = SlackEvent::from_json(&body);
    }

    #[test]
    fn json_of_known_fields_never_panics(value in prop::json(WORDS)) {
        let body = serde_json::to_vec(&value).expect("JSON encodes");
        if let Ok(SlackEvent::LinkShared(shared)) = SlackEvent::from_json(&body) {
            prop_assert!(!shared.event_id.is_empty());
            let mut links = shared.links.clone();
            links.dedup();
            prop_assert_eq!(links.len(), shared.links.len());
        }
    }
}
