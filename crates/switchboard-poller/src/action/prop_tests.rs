use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn ids_parse_only_when_well_formed(text in prop_oneof![any::<String>(), "[0-9a-fA-F]{22,26}"]) {
        if let Some(id) = ActionId::parse(&text) {
            prop_assert_eq!(id.as_str(), text.as_str());
            prop_assert_eq!(text.len(), 24);
        }
    }

    #[test]
    fn a_time_is_a_cursor_that_sorts_by_time(a in any::<i64>(), b in any::<i64>()) {
        let (x, y) = (ActionId::at(a), ActionId::at(b));
        prop_assert_eq!(ActionId::parse(x.as_str()), Some(x.clone()));
        let clamp = |t: i64| t.clamp(0, i64::from(u32::MAX));
        prop_assert_eq!(x.cmp(&y), clamp(a).cmp(&clamp(b)));
    }
}
