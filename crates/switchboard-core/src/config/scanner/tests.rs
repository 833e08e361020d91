use crate::config::Config;

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
