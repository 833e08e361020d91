use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn quoted_comments_fit_once_escaped(text in prop::message_text(), max in 2usize..400) {
        let quoted = quote(&text, max);
        prop_assert!(quoted.chars().count() <= max, "{} > {max}", quoted.chars().count());
    }
}
