use super::*;
use proptest::prelude::*;
use switchboard_core::testing::prop;

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn any_text_parses_or_is_none(s in prop_oneof![any::<String>(), prop::dates()]) {
        let _ = parse(&s);
    }

    #[test]
    fn any_epoch_has_a_date(epoch in any::<i64>()) {
        let _ = date(epoch);
    }

    #[test]
    fn dates_round_trip(
        (y, m, d) in (0i64..=9999, 1i64..=12, 1i64..=31),
        (h, mi, s) in (0i64..24, 0i64..60, 0i64..60),
        offset in -(23 * 60 + 59)..=(23i64 * 60 + 59),
    ) {
        prop_assume!(days_from_civil(y, m, d).is_some());
        let day = format!("{y:04}-{m:02}-{d:02}");
        let sign = if offset < 0 { '-' } else { '+' };
        let text = format!("{day}T{h:02}:{mi:02}:{s:02}{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60);
        let utc = days_from_civil(y, m, d).unwrap_or_default() * 86_400 + h * 3600 + mi * 60 + s;
        prop_assert_eq!(parse(&text), Some(utc - offset * 60));
        prop_assert_eq!(parse(&day).map(date), Some(day));
    }
}
