use super::*;
use crate::testing::prop;
use proptest::prelude::*;

#[test]
fn a_bare_string_secret_is_not_quoted_back() {
    let e = Secrets::from_json("\"xoxb-123456789\"").expect_err("not an object");
    assert!(!format!("{e:#}").contains("123456789"), "{e:#}");
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn a_broken_secret_never_shows_in_the_error(
        value in "xoxb-[A-Za-z0-9]{12,30}",
        cut in any::<proptest::sample::Index>(),
        extra in prop::word(&["}", ",", "\"", ":", "]", "{", "null"]),
    ) {
        let whole = serde_json::json!({ "SLACK_BOT_TOKEN": value }).to_string();
        let at = cut.index(whole.len());
        let text = format!("{}{extra}{}", &whole[..at], &whole[at..]);
        // A secret stored as a bare string or list, not an object, too.
        for text in [text, format!("{value:?}"), format!("[{value:?}]")] {
            let shown = match Secrets::from_json(&text) {
                Ok(secrets) => format!("{secrets:?}"),
                Err(e) => format!("{e:#}"),
            };
            prop_assert!(!shown.contains(&value[5..]), "{:?} shows the token", shown);
        }
    }
}
