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
mod tests;

#[cfg(test)]
mod prop_tests;
