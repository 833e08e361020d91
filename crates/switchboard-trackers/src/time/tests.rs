use super::*;

fn check(text: &str, expected: Option<i64>) {
    assert_eq!(parse(text), expected, "parsing {text:?}");
}

#[test]
fn table() {
    check("1970-01-01T00:00:00Z", Some(0));
    check("1970-01-01", Some(0));
    check("2019-09-16T16:19:17.156Z", Some(1_568_650_757));
    check("2017-07-18T13:33:44.291+0000", Some(1_500_384_824));
    check("2017-07-18T16:33:44.291+03:00", Some(1_500_384_824));
    check("2017-07-18T10:33:44-03", Some(1_500_384_824));
    check("2011-10-26T11:13:08+11:00", Some(1_319_587_988));
    check("2011-10-26 00:13:08", Some(1_319_587_988));
    check("2011-10-26t00:13:08z", Some(1_319_587_988));
    check("2011-10-26T00:13Z", Some(1_319_587_980));
    check("2011-10-26T00:13:08,5Z", Some(1_319_587_988));
    check("2016-12-31T23:59:60Z", Some(1_483_228_799));
    check("2024-02-29T00:00:00Z", Some(1_709_164_800));
    check("2000-03-01", Some(951_868_800));
    check("1969-12-31T23:59:59Z", Some(-1));
    check("  2024-05-01T00:00:00Z\n", Some(1_714_521_600));

    check("", None);
    check("yesterday", None);
    check("2023-02-29", None);
    check("2024-13-01", None);
    check("2024-04-31", None);
    check("2024-05-01T24:00:00Z", None);
    check("2024-05-01T12:60:00Z", None);
    check("2024-05-01T12:00:00+2400", None);
    check("2024-05-01T12:00:00+01:0", None);
    check("2024-05-01T12:00:00.Z", None);
    check("2024-05-01T12:00:00 UTC", None);
    check("2024-05-01X12:00:00Z", None);
    check("2024/05/01", None);
    check("2024-5-1", None);
    check("+2024-05-01", None);
}

#[test]
fn dates_round_trip() {
    for text in [
        "1970-01-01",
        "2000-02-29",
        "2024-12-31",
        "1969-07-20",
        "2100-03-01",
    ] {
        let epoch = parse(text).expect("a valid date");
        assert_eq!(date(epoch), text);
        assert_eq!(date(epoch + 86_399), text, "the end of {text}");
    }
}
