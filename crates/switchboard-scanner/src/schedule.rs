//! When the weekly summary is due, in the configured time zone.

use jiff::Timestamp;
use jiff::civil::Weekday;
use jiff::tz::TimeZone;
use switchboard_core::config::ScannerConfig;

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

fn zone(name: &str) -> anyhow::Result<TimeZone> {
    TimeZone::get(name).map_err(|_| {
        anyhow::anyhow!(
            "scanner.time_zone: {name:?} is not a time zone name (like \"Europe/London\" or \"UTC\")"
        )
    })
}

/// The ISO week (`2026-W48`) that `now` falls in, in the zone.
pub fn week_of(time_zone: &str, now: i64) -> anyhow::Result<String> {
    let tz = zone(time_zone)?;
    let local = Timestamp::from_second(now)?.to_zoned(tz);
    let week = local.date().iso_week_date();
    Ok(format!("{:04}-W{:02}", week.year(), week.week()))
}

/// `Some(week)` when the summary is due at `now`: the configured weekday,
/// at or after the configured hour, both local to the configured zone.
/// Runs later that day find the week already claimed.
pub fn summary_due(scanner: &ScannerConfig, now: i64) -> anyhow::Result<Option<String>> {
    let tz = zone(&scanner.time_zone)?;
    let day = weekday(&scanner.summary_day)
        .ok_or_else(|| anyhow::anyhow!("scanner.summary_day: {:?}", scanner.summary_day))?;
    let local = Timestamp::from_second(now)?.to_zoned(tz);
    if local.weekday() != day || local.hour() < i8::try_from(scanner.summary_hour).unwrap_or(0) {
        return Ok(None);
    }
    week_of(&scanner.time_zone, now).map(Some)
}

#[cfg(test)]
mod tests;
