use super::*;
use crate::testing::prop;
use proptest::prelude::*;

fn cut() -> impl Strategy<Value = Cut> {
    proptest::sample::select(vec![Cut::Plain, Cut::Ellipsis, Cut::Word, Cut::Line])
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn shortened_text_fits(text in prop::message_text(), max in 0usize..400, how in cut()) {
        let short = shorten(&text, max, how);
        prop_assert!(short.chars().count() <= max);
        let head = short.strip_suffix('…').unwrap_or(&short);
        prop_assert!(text.contains(head));
    }
}
