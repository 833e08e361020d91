//! Timestamps as trackers send them, turned into epoch seconds. One parser
//! for every tracker, because each picks a different corner of ISO 8601:
//! Trello sends `2019-09-16T16:19:17.156Z`, Jira and Yandex Tracker
//! `2017-07-18T13:33:44.291+0000` (no colon in the offset), Codebase
//! `2011-10-26T11:13:08+11:00`.

/// Parses an RFC 3339 / ISO 8601 date-time (or a bare `YYYY-MM-DD`, taken
/// as midnight UTC) into epoch seconds. Fractions of a second are dropped.
/// A time without an offset is read as UTC, since every tracker here sends
/// UTC when it leaves the offset out. Anything else is `None`.
pub(crate) fn parse(text: &str) -> Option<i64> {
    let s = text.trim().as_bytes();
    let year = digits(s, 0, 4)?;
    let month = digits(s, 5, 2)?;
    let day = digits(s, 8, 2)?;
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    if s.len() == 10 {
        return Some(days * 86_400);
    }
    if !matches!(s.get(10), Some(b'T' | b't' | b' ')) {
        return None;
    }
    let hour = digits(s, 11, 2)?;
    let minute = digits(s, 14, 2)?;
    if s.get(13) != Some(&b':') {
        return None;
    }
    // Seconds are optional in ISO 8601 (`12:30Z`).
    let (second, mut rest) = if s.get(16) == Some(&b':') {
        (digits(s, 17, 2)?, 19)
    } else {
        (0, 16)
    };
    // A leap second (`:60`) is counted as the last second of its minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    if matches!(s.get(rest), Some(b'.' | b',')) {
        let start = rest + 1;
        rest = start;
        while s.get(rest).is_some_and(u8::is_ascii_digit) {
            rest += 1;
        }
        if rest == start {
            return None;
        }
    }
    let offset = offset_seconds(&s[rest..])?;
    let seconds = hour * 3600 + minute * 60 + second.min(59);
    Some(days * 86_400 + seconds - offset)
}

/// `Z`, `+hh:mm`, `+hhmm`, `+hh`, or nothing (UTC), as seconds east of UTC.
fn offset_seconds(s: &[u8]) -> Option<i64> {
    match s {
        [] | [b'Z' | b'z'] => Some(0),
        [sign @ (b'+' | b'-'), rest @ ..] => {
            let (hours, minutes) = match rest.len() {
                2 => (digits(rest, 0, 2)?, 0),
                4 => (digits(rest, 0, 2)?, digits(rest, 2, 2)?),
                5 if rest[2] == b':' => (digits(rest, 0, 2)?, digits(rest, 3, 2)?),
                _ => return None,
            };
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = hours * 3600 + minutes * 60;
            Some(if *sign == b'-' { -seconds } else { seconds })
        }
        _ => None,
    }
}

/// `len` ASCII digits at `at`, as a number.
fn digits(s: &[u8], at: usize, len: usize) -> Option<i64> {
    let part = s.get(at..at + len)?;
    part.iter().try_fold(0i64, |n, b| {
        b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
    })
}

/// Days since 1970-01-01 of a proleptic Gregorian date; `None` for a date
/// that does not exist (the 30th of February).
pub(crate) fn days_from_civil(year: i64, month: i64, day: i64) -> Option<i64> {
    let date = jiff::civil::Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()?;
    let midnight = date.to_zoned(jiff::tz::TimeZone::UTC).ok()?;
    Some(midnight.timestamp().as_second().div_euclid(86_400))
}

/// The UTC calendar date (`YYYY-MM-DD`) of an epoch second, for fields that
/// are shown as a day (a Trello card's due date); empty outside the years
/// a calendar can show.
pub(crate) fn date(epoch: i64) -> String {
    jiff::Timestamp::from_second(epoch)
        .map(|t| t.strftime("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
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
}

#[cfg(test)]
mod prop_tests {
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
}
