use super::*;
use crate::testing::prop;
use proptest::prelude::*;

const WORDS: &[&str] = &[
    "type",
    "block_actions",
    "user",
    "id",
    "U1",
    "actions",
    "action_id",
    "value",
    "response_url",
    "https://hooks.slack.com/x",
];

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_bytes_are_an_interaction_or_an_error(body in proptest::collection::vec(any::<u8>(), 0..300)) {
        let _ = Interaction::from_form(&body);
    }

    #[test]
    fn payloads_of_known_fields_never_panic(value in prop::json(WORDS)) {
        let form = serde_urlencoded::to_string([("payload", value.to_string())])
            .expect("form encodes");
        if let Ok(Interaction::Buttons(presses)) = Interaction::from_form(form.as_bytes()) {
            prop_assert!(presses.len() <= MAX_ACTIONS);
        }
    }

    #[test]
    fn button_form_round_trips(
        user in "[UWB][A-Z0-9]{1,31}",
        action_id in any::<String>(),
        value in any::<String>(),
        url in prop_oneof!["https?://[ -~]{0,60}", any::<String>()],
    ) {
        let form = button_form(&user, &action_id, &value, &url);
        let got = Interaction::from_form(form.as_bytes()).expect("our own form parses");
        let want = ButtonPress {
            user: UserId::parse(&user).expect("generated user id"),
            team: None,
            action_id,
            value,
            response_url: ResponseUrl::parse(&url).ok(),
        };
        prop_assert_eq!(got, Interaction::Buttons(vec![want]));
    }
}
