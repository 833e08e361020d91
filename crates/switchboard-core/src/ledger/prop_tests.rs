use super::*;
use crate::testing::prop;
use proptest::prelude::*;

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn ticket_keys_round_trip(
        tracker in "[A-Za-z0-9_-]{1,100}",
        project in "[A-Za-z0-9_-]{0,100}",
        key in "[A-Za-z0-9_-]{1,100}",
    ) {
        let name = ticket_key(&tracker, &project, &key);
        prop_assert_eq!(
            split_ticket_key(&name),
            Some((tracker.as_str(), project.as_str(), key.as_str()))
        );
    }

    #[test]
    fn any_text_splits_into_safe_parts_or_none(text in prop_oneof![any::<String>(), "[a-z/_-]{0,30}"]) {
        if let Some((tracker, project, key)) = split_ticket_key(&text) {
            for part in [tracker, project, key] {
                prop_assert!(!part.contains(['/', '.']));
            }
            prop_assert_eq!(ticket_key(tracker, project, key), text);
        }
    }
}
