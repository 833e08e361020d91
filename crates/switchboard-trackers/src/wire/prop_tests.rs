use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn path_safe_text_is_one_plain_segment(text in any::<String>()) {
        if path_safe(&text) {
            let url = endpoint("https://api.example.com/v1", &[&text]).expect("base parses");
            prop_assert_eq!(url.path(), format!("/v1/{text}"));
        }
    }
}
