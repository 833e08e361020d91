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
