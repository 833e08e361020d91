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
mod tests {
    use super::*;

    fn scanner(tz: &str, day: &str, hour: u8) -> ScannerConfig {
        ScannerConfig {
            time_zone: tz.into(),
            summary_day: day.into(),
            summary_hour: hour,
            ..ScannerConfig::default()
        }
    }

    fn at(text: &str) -> i64 {
        text.parse::<Timestamp>().expect("timestamp").as_second()
    }

    #[test]
    fn due_on_its_day_from_its_hour_in_its_zone() {
        let s = scanner("Europe/Berlin", "monday", 9);
        // Monday 2026-11-23, 08:30 UTC is 09:30 in Berlin (CET, +1).
        assert_eq!(
            summary_due(&s, at("2026-11-23T08:30:00Z")).expect("ok"),
            Some("2026-W48".into())
        );
        // 07:30 UTC is 08:30 in Berlin: too early.
        assert_eq!(
            summary_due(&s, at("2026-11-23T07:30:00Z")).expect("ok"),
            None
        );
        // Sunday 23:30 UTC is already Monday 00:30 in Berlin, but before 9.
        assert_eq!(
            summary_due(&s, at("2026-11-22T23:30:00Z")).expect("ok"),
            None
        );
        // Tuesday: not the day.
        assert_eq!(
            summary_due(&s, at("2026-11-24T10:00:00Z")).expect("ok"),
            None
        );
    }

    #[test]
    fn the_day_follows_the_zone_not_utc() {
        // Monday 2026-11-23 03:00 UTC is still Sunday in New York.
        let ny = scanner("America/New_York", "sunday", 0);
        assert!(
            summary_due(&ny, at("2026-11-23T03:00:00Z"))
                .expect("ok")
                .is_some()
        );
        let utc = scanner("UTC", "sunday", 0);
        assert!(
            summary_due(&utc, at("2026-11-23T03:00:00Z"))
                .expect("ok")
                .is_none()
        );
        // Summer time: 2026-07-06 is a Monday; 09:00 in London is 08:00 UTC.
        let london = scanner("Europe/London", "monday", 9);
        assert!(
            summary_due(&london, at("2026-07-06T08:00:00Z"))
                .expect("ok")
                .is_some()
        );
        assert!(
            summary_due(&london, at("2026-07-06T07:59:59Z"))
                .expect("ok")
                .is_none()
        );
    }

    #[test]
    fn weeks_and_bad_zones() {
        assert_eq!(
            week_of("UTC", at("2027-01-01T12:00:00Z")).expect("ok"),
            "2026-W53"
        );
        let bad = scanner("Mars/Olympus", "monday", 9);
        let e = summary_due(&bad, 0).expect_err("bad zone");
        assert!(e.to_string().contains("Mars/Olympus"), "{e}");
    }
}
