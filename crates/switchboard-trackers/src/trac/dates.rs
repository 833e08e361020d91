//! The dates Trac writes: RPC timestamps, RSS (RFC 2822) and the query export.

/// A date from the query export: ISO 8601 when the Trac is set to it, else
/// the en-US form `MM/DD/YY HH:MM:SS` (optionally with AM/PM), read as UTC.
pub(super) fn parse_export_date(s: &str) -> Option<i64> {
    if let Some(t) = crate::time::parse(s) {
        return Some(t);
    }
    let mut parts = s.split_whitespace();
    let date = parts.next()?;
    let time = parts.next().unwrap_or("00:00:00");
    let ampm = parts.next();
    let mut d = date.split('/');
    let month: u32 = d.next()?.parse().ok()?;
    let day: u32 = d.next()?.parse().ok()?;
    let year: i64 = d.next()?.parse().ok()?;
    let year = if year < 100 { 2000 + year } else { year };
    let (mut h, m, sec) = hms(time)?;
    match ampm.map(str::to_ascii_uppercase).as_deref() {
        Some("PM") if h < 12 => h += 12,
        Some("AM") if h == 12 => h = 0,
        _ => {}
    }
    epoch(year, month, day, h, m, sec)
}

/// `2026-09-01T09:40:00[.ffffff]` (JSON-RPC) or `20260901T09:40:00`
/// (XML-RPC), both UTC, as epoch seconds.
pub(super) fn parse_datetime(s: &str) -> Option<i64> {
    let (date, time) = s.trim().split_once('T')?;
    let date = date.replace('-', "");
    if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let time = time.trim_end_matches('Z');
    let time = time.split_once('.').map_or(time, |(whole, _)| whole);
    let (h, m, s) = hms(time)?;
    epoch(
        date[..4].parse().ok()?,
        date[4..6].parse().ok()?,
        date[6..].parse().ok()?,
        h,
        m,
        s,
    )
}

/// RFC 2822 dates as RSS has them: `Tue, 01 Sep 2026 09:40:00 GMT`.
pub(super) fn parse_rfc2822(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.split_once(',').map_or(s, |(_, rest)| rest);
    let mut parts = s.split_whitespace();
    let day = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let month = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]
    .iter()
    .position(|m| month.eq_ignore_ascii_case(m))?;
    let year = parts.next()?.parse().ok()?;
    let (h, m, sec) = hms(parts.next()?)?;
    let offset = match parts.next().unwrap_or("GMT") {
        "GMT" | "UT" | "UTC" | "Z" => 0,
        zone => {
            let (sign, digits) = match (zone.strip_prefix('+'), zone.strip_prefix('-')) {
                (Some(d), _) => (1, d),
                (_, Some(d)) => (-1, d),
                _ => return None,
            };
            if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let hours: i64 = digits[..2].parse().ok()?;
            let minutes: i64 = digits[2..].parse().ok()?;
            sign * (hours * 3600 + minutes * 60)
        }
    };
    let month = u32::try_from(month + 1).ok()?;
    Some(epoch(year, month, day, h, m, sec)? - offset)
}

/// `HH:MM[:SS]`.
fn hms(s: &str) -> Option<(u32, u32, u32)> {
    let mut parts = s.split(':');
    let h = parts.next()?.parse().ok()?;
    let m = parts.next()?.parse().ok()?;
    let sec = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    parts.next().is_none().then_some((h, m, sec))
}

pub(super) fn epoch(year: i64, month: u32, day: u32, h: u32, m: u32, s: u32) -> Option<i64> {
    // A tracker's date is outside input: a wild year must not overflow.
    if !(1..=9999).contains(&year)
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || h > 23
        || m > 59
        || s > 60
    {
        return None;
    }
    let secs = i64::from(h * 3600 + m * 60 + s);
    Some(crate::time::days_from_civil(year, i64::from(month), i64::from(day))? * 86_400 + secs)
}

#[cfg(test)]
mod tests;
