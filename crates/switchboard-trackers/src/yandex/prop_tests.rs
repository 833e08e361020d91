use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "key",
    "summary",
    "status",
    "type",
    "priority",
    "assignee",
    "createdBy",
    "fixVersions",
    "updatedAt",
    "description",
    "display",
    "2017-07-18T13:33:44.291+0000",
];

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_answer_is_a_ticket_or_an_error(body in prop_oneof![
        any::<String>(),
        prop::json(WORDS).prop_map(|v| v.to_string()),
    ]) {
        let _ = wire::json::<Answer>(&body).map(|a| match a { Answer::One(i) => vec![i.into_ticket("https://tracker.yandex.ru")], Answer::Many(v) => v.into_iter().map(|i| i.into_ticket("https://tracker.yandex.ru")).collect() });
    }
}
