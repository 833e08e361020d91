use super::dates::{epoch, parse_datetime, parse_rfc2822};
use super::markup::html_to_text;
use super::rpc::comment_number;
use super::*;
use proptest::prelude::*;
use switchboard_core::config::{TrackerConfig, TrackerKind};
use switchboard_core::testing::prop;

const WORDS: &[&str] = &[
    "methodResponse",
    "params",
    "param",
    "value",
    "fault",
    "struct",
    "member",
    "name",
    "array",
    "data",
    "string",
    "int",
    "i4",
    "i8",
    "boolean",
    "double",
    "base64",
    "nil",
    "dateTime.iso8601",
    "faultCode",
    "faultString",
    "result",
    "error",
    "code",
    "message",
    "__jsonclass__",
    "datetime",
    "summary",
    "status",
    "description",
    "changetime",
    "comment",
    "1.3",
    "2",
    "rss",
    "channel",
    "item",
    "link",
    "creator",
    "pubDate",
    "https://trac.example.com/ticket/1#comment:2",
    "20260901T09:40:00",
    "<p>hi</p>",
    "''bold''",
    "{{{",
    "}}}",
    "[[Link|label]]",
    "&amp;",
    "&#x41;",
    "&#99999999;",
];

fn trac() -> &'static Trac {
    static TRAC: std::sync::LazyLock<Trac> = std::sync::LazyLock::new(|| {
        let config = TrackerConfig {
            name: "trac".into(),
            kind: TrackerKind::Trac,
            url: "https://trac.example.com".into(),
            api_url: None,
            trac_mode: TracMode::Export,
            org_id: None,
        };
        Trac::new(Site::new(reqwest::Client::new(), &config, None, None))
    });
    &TRAC
}

/// Text of the characters CSV and markup care about, and others.
fn text() -> impl Strategy<Value = String> {
    let special = proptest::sample::select(vec![
        ',', '"', '\r', '\n', '<', '>', '&', ';', '#', '!', '[', ']', '{', '}', '\'', '|', ' ',
        'a', '1', 'é', '\u{feff}',
    ]);
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..40)
            .prop_map(String::from_iter),
        prop::word(WORDS),
    ]
}

/// Writes rows the way RFC 4180 asks: a field with a comma, quote or
/// line break is quoted, its quotes doubled.
fn write_csv(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|row| {
            row.iter()
                .map(|f| {
                    if f.contains([',', '"', '\r', '\n']) || f.is_empty() {
                        format!("\"{}\"", f.replace('"', "\"\""))
                    } else {
                        f.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        })
        .map(|line| line + "\r\n")
        .collect()
}

#[test]
fn deep_quotes_show_four_marks_at_most() {
    let html = format!("{}a<br/>b", "<blockquote>".repeat(50));
    assert_eq!(html_to_text(&html), "> > > > a\n> > > > b");
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn dates_parse_or_are_none(s in prop_oneof![any::<String>(), prop::dates()]) {
        let _ = parse_datetime(&s);
        let _ = parse_rfc2822(&s);
        let _ = parse_export_date(&s);
    }

    #[test]
    fn export_dates_read_their_fields(
        (y, mo, d) in (1i64..=9999, 1u32..=12, 1u32..=28),
        (h, mi, s) in (0u32..24, 0u32..60, 0u32..60),
    ) {
        let want = epoch(y, mo, d, h, mi, s);
        prop_assert!(want.is_some());
        let iso = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
        prop_assert_eq!(parse_datetime(&iso), want);
        prop_assert_eq!(parse_export_date(&format!("{iso}Z")), want);
        // The en-US export writes two-digit years, which are this century's.
        if y >= 100 {
            prop_assert_eq!(parse_export_date(&format!("{mo}/{d}/{y} {h}:{mi:02}:{s:02}")), want);
        }
        if (2000..2100).contains(&y) {
            let (h12, ampm) = match h { 0 => (12, "AM"), 1..12 => (h, "AM"), 12 => (12, "PM"), _ => (h - 12, "PM") };
            let us = format!("{mo:02}/{d:02}/{:02} {h12:02}:{mi:02}:{s:02} {ampm}", y % 100);
            prop_assert_eq!(parse_export_date(&us), want);
        }
        let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][mo as usize - 1];
        prop_assert_eq!(parse_rfc2822(&format!("Tue, {d} {month} {y} {h:02}:{mi:02}:{s:02} GMT")), want);
    }

    #[test]
    fn json_rpc_answers_never_panic(body in prop_oneof![
        any::<String>(),
        prop::json(WORDS).prop_map(|v| v.to_string()),
    ]) {
        if let Ok(value) = parse_json_response(&body) {
            let _ = trac().ticket_from_rpc(1, &value);
            let _ = comment_from_log(&value, 2);
        }
    }

    #[test]
    fn xml_rpc_answers_never_panic(body in prop_oneof![any::<String>(), prop::xml(WORDS)]) {
        if let Ok(value) = parse_xml_response(&body) {
            let _ = trac().ticket_from_rpc(1, &value);
            let _ = comment_from_log(&value, 2);
        }
    }

    #[test]
    fn csv_exports_never_panic(body in text()) {
        let _ = trac().ticket_from_csv(1, &body);
        if let Ok(listed) = trac().listed_from_csv(&body) {
            for t in listed {
                prop_assert!(crate::wire::path_safe(&t.key));
            }
        }
    }

    #[test]
    fn csv_round_trips(rows in proptest::collection::vec(
        proptest::collection::vec(text(), 1..5), 0..5,
    )) {
        // A byte-order mark is dropped only at the start, by the callers.
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| r.into_iter().map(|f| f.replace('\u{feff}', "")).collect())
            .collect();
        prop_assert_eq!(parse_csv(&write_csv(&rows)), rows);
    }

    #[test]
    fn html_text_grows_at_most_linearly(
        tokens in proptest::collection::vec(proptest::sample::select(vec![
            "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<p>", "<br/>", "<li>",
            "<ul>", "x", " ", "\n", "&amp;", "&#x1F389;", "<", ">",
        ]), 0..400),
        depth in 0usize..200,
        lines in 0usize..200,
    ) {
        // Deep quotes with many lines are the case that could multiply.
        let html = format!("{}{}{}", "<blockquote>".repeat(depth), "x<br/>".repeat(lines), tokens.concat());
        let text = html_to_text(&html);
        prop_assert!(text.len() <= 4 * html.len() + 16, "{} bytes from {}", text.len(), html.len());
    }

    #[test]
    fn rss_and_markup_never_panic(body in prop_oneof![text(), prop::xml(WORDS)]) {
        let _ = rss_comments(&body);
        let _ = html_to_text(&body);
        let _ = wiki_to_text(&body);
        let _ = comment_number(&body);
    }
}
