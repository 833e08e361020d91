use super::*;

/// 2026-09-01 at the given UTC time, as epoch seconds.
fn at(hour: i64, minute: i64) -> i64 {
    1_788_220_800 + hour * 3600 + minute * 60
}

#[test]
fn dates_parse_in_every_trac_format() {
    assert_eq!(parse_datetime("2026-09-01T09:40:00"), Some(at(9, 40)));
    assert_eq!(
        parse_datetime("2026-09-01T09:40:00.123456"),
        Some(at(9, 40))
    );
    assert_eq!(parse_datetime("20260901T09:40:00"), Some(at(9, 40)));
    assert_eq!(parse_datetime("1970-01-01T00:00:00"), Some(0));
    assert_eq!(parse_datetime("2024-02-29T12:00:00"), Some(1_709_208_000));
    assert_eq!(parse_datetime("2026-13-01T00:00:00"), None);
    assert_eq!(parse_datetime("yesterday"), None);
    assert_eq!(
        parse_rfc2822("Tue, 01 Sep 2026 09:40:00 GMT"),
        Some(at(9, 40))
    );
    assert_eq!(parse_rfc2822("1 Sep 2026 11:40:00 +0200"), Some(at(9, 40)));
    assert_eq!(parse_rfc2822("Tue, 01 Sep 2026 09:40 GMT"), Some(at(9, 40)));
    assert_eq!(parse_rfc2822("Tue, 01 Foo 2026 09:40:00 GMT"), None);
    assert_eq!(
        parse_rfc2822("Tue, 01 Sep 9223372036854775807 09:40:00 GMT"),
        None
    );
    assert_eq!(
        parse_rfc2822("Tue, 01 Sep -9223372036854775808 09:40:00 GMT"),
        None
    );
    assert_eq!(parse_rfc2822("Tue, 01 Sep 2026 09:40:00 +02"), None);
}

#[test]
fn export_dates_in_iso_or_us_form() {
    assert_eq!(parse_export_date("09/01/26 10:15:00"), Some(at(10, 15)));
    assert_eq!(
        parse_export_date("09/01/2026 10:15:00 PM"),
        Some(at(22, 15))
    );
    assert_eq!(parse_export_date("09/01/26 12:05:00 AM"), Some(at(0, 5)));
    assert_eq!(parse_export_date("2026-09-01T10:15:00Z"), Some(at(10, 15)));
    for junk in ["", "yesterday", "13/45/26 10:00:00", "09/01/26 25:00:00"] {
        assert_eq!(parse_export_date(junk), None, "{junk:?}");
    }
}
