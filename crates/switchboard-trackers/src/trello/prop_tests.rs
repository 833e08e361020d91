use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "name",
    "desc",
    "shortLink",
    "dateLastActivity",
    "due",
    "labels",
    "members",
    "fullName",
    "username",
    "list",
    "2019-09-16T16:19:17.156Z",
];

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_answer_is_a_ticket_or_an_error(body in prop_oneof![
        any::<String>(),
        prop::json(WORDS).prop_map(|v| v.to_string()),
    ]) {
        let _ = wire::json::<Card>(&body).map(|c| c.into_ticket("aBcD1234", "https://trello.com"));
    }
}
