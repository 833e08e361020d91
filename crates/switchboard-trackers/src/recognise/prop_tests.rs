use super::*;
use proptest::prelude::*;
use switchboard_core::config::TracMode;
use switchboard_core::testing::prop;

const PARTS: &[&str] = &[
    "https://",
    "http://",
    "ftp://",
    "trac.example.com",
    "acme.codebasehq.com",
    "trello.com",
    "acme.atlassian.net",
    "tracker.yandex.ru",
    "TRAC.example.com",
    "evil.com",
    ":443",
    ":8080",
    "/",
    "/acme",
    "/ticket/",
    "/projects/",
    "/web",
    "/tickets/",
    "/c/",
    "/browse/",
    "ABC-12",
    "abc-+5",
    "A_1-007",
    "12",
    "0",
    "-1",
    "+7",
    "99999999999999999999",
    "..",
    "%2e%2e",
    "%2F",
    "aBcD1234",
    "#comment:3",
    "#comment:0",
    "#comment:1.3",
    "?x=1",
    "@",
    "\\",
    " ",
    "é",
];

fn tracker(kind: TrackerKind, url: &str) -> TrackerConfig {
    TrackerConfig {
        name: format!("{kind:?}"),
        kind,
        url: url.into(),
        api_url: None,
        trac_mode: TracMode::Jsonrpc,
        org_id: None,
    }
}

fn trackers() -> Vec<TrackerConfig> {
    vec![
        tracker(TrackerKind::Trac, "https://trac.example.com/acme"),
        tracker(TrackerKind::Codebase, "https://acme.codebasehq.com"),
        tracker(TrackerKind::Trello, "https://trello.com"),
        tracker(TrackerKind::Jira, "https://acme.atlassian.net/"),
        tracker(TrackerKind::Yandex, "https://tracker.yandex.ru"),
    ]
}

/// Links shaped like each tracker's, with a tricky piece where the key goes.
fn links() -> impl Strategy<Value = String> {
    let origin = proptest::sample::select(vec![
        "https://trac.example.com/acme",
        "https://acme.codebasehq.com/projects/web",
        "https://acme.codebasehq.com/projects",
        "https://trello.com/c",
        "https://acme.atlassian.net/browse",
        "https://tracker.yandex.ru",
        "http://tracker.yandex.ru:443",
    ]);
    let middle = proptest::sample::select(vec!["", "/ticket", "/tickets", "/web/tickets"]);
    let piece = prop_oneof![prop::word(PARTS), "[a-zA-Z0-9_%.+-]{1,12}"];
    let fragment = proptest::option::of(prop::word(PARTS));
    (
        origin,
        middle,
        piece.clone(),
        proptest::option::of(piece),
        fragment,
    )
        .prop_map(|(origin, middle, piece, more, fragment)| {
            let mut link = format!("{origin}{middle}/{piece}");
            if let Some(more) = more {
                link = format!("{link}-{more}");
            }
            if let Some(f) = fragment {
                link = format!("{link}#{f}");
            }
            link
        })
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn recognised_keys_are_path_safe(
        link in prop_oneof![
            1 => any::<String>(),
            1 => proptest::collection::vec(prop::word(PARTS), 1..9).prop_map(|p| p.concat()),
            3 => links(),
        ],
    ) {
        if let Some(r) = recognise(&link, &trackers()) {
            prop_assert!(crate::wire::path_safe(&r.key), "key {:?} from {:?}", r.key, link);
            prop_assert!(
                r.project.is_empty() || crate::wire::path_safe(&r.project),
                "project {:?} from {:?}", r.project, link
            );
            prop_assert_eq!(r.url, link);
            prop_assert!(r.comment.is_none_or(|n| n > 0));
        }
    }
}
