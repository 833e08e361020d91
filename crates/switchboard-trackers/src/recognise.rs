//! Link recognition: which configured tracker a URL belongs to, and which
//! ticket (and comment) it names. Hosts must match exactly, so a look-alike
//! host never does.

use switchboard_core::config::{TrackerConfig, TrackerKind};
use url::Url;

use crate::TicketRef;

/// The ticket a shared link points at, if any configured tracker owns it.
pub fn recognise(link: &str, trackers: &[TrackerConfig]) -> Option<TicketRef> {
    let url = Url::parse(link).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    trackers.iter().find_map(|t| {
        let base = Url::parse(&t.url).ok()?;
        if !url.host_str()?.eq_ignore_ascii_case(base.host_str()?)
            || url.port_or_known_default() != base.port_or_known_default()
        {
            return None;
        }
        let base_path = base.path().trim_end_matches('/');
        let rest = url.path().strip_prefix(base_path)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let (key, project, comment) = match t.kind {
            TrackerKind::Trac => match segments.as_slice() {
                ["ticket", n] => (number(n)?, String::new(), trac_comment(url.fragment())),
                _ => return None,
            },
            TrackerKind::Codebase => match segments.as_slice() {
                ["projects", project, "tickets", n] => (number(n)?, (*project).to_owned(), None),
                _ => return None,
            },
            TrackerKind::Trello => match segments.as_slice() {
                ["c", short, ..] if is_shortlink(short) => {
                    ((*short).to_owned(), String::new(), None)
                }
                _ => return None,
            },
            TrackerKind::Jira => match segments.as_slice() {
                ["browse", key] => (issue_key(key)?, String::new(), None),
                _ => return None,
            },
            TrackerKind::Yandex => match segments.as_slice() {
                [key] => (issue_key(key)?, String::new(), None),
                _ => return None,
            },
        };
        Some(TicketRef {
            tracker: t.name.clone(),
            kind: t.kind,
            key,
            project,
            comment,
            url: link.to_owned(),
        })
    })
}

fn number(s: &str) -> Option<String> {
    let n: u64 = s.parse().ok().filter(|n| *n > 0)?;
    Some(n.to_string())
}

/// `comment:3` → 3; Trac anchors a reply by its own number, the last
/// segment of `1.3`.
fn trac_comment(fragment: Option<&str>) -> Option<u32> {
    fragment?
        .strip_prefix("comment:")?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn is_shortlink(s: &str) -> bool {
    (6..=16).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `ABC-12`: a letter, then letters, digits or `_`, a dash and a number.
fn issue_key(s: &str) -> Option<String> {
    let (project, n) = s.split_once('-')?;
    let ok = project.chars().next()?.is_ascii_alphabetic()
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    // The number as parsed, so `+5` or `007` cannot reach a URL path as typed.
    let n = number(n).filter(|_| ok)?;
    Some(format!("{}-{n}", project.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::config::TracMode;

    fn tracker(name: &str, kind: TrackerKind, url: &str) -> TrackerConfig {
        TrackerConfig {
            name: name.into(),
            kind,
            url: url.into(),
            api_url: None,
            trac_mode: TracMode::Jsonrpc,
            org_id: None,
        }
    }

    fn trackers() -> Vec<TrackerConfig> {
        vec![
            tracker("trac", TrackerKind::Trac, "https://trac.example.com/acme"),
            tracker(
                "codebase",
                TrackerKind::Codebase,
                "https://acme.codebasehq.com",
            ),
            tracker("trello", TrackerKind::Trello, "https://trello.com"),
            tracker("jira", TrackerKind::Jira, "https://acme.atlassian.net"),
            tracker("yandex", TrackerKind::Yandex, "https://tracker.yandex.ru"),
        ]
    }

    /// One row: the link, and the (tracker, key, project, comment) it names.
    fn check(link: &str, expected: Option<(&str, &str, &str, Option<u32>)>) {
        let got = recognise(link, &trackers());
        let got = got.as_ref().map(|r| {
            (
                r.tracker.as_str(),
                r.key.as_str(),
                r.project.as_str(),
                r.comment,
            )
        });
        assert_eq!(got, expected, "link {link:?}");
    }

    #[test]
    fn table() {
        check(
            "https://trac.example.com/acme/ticket/1",
            Some(("trac", "1", "", None)),
        );
        check(
            "https://trac.example.com/acme/ticket/1/",
            Some(("trac", "1", "", None)),
        );
        check(
            "https://trac.example.com/acme/ticket/12?version=3",
            Some(("trac", "12", "", None)),
        );
        check(
            "https://trac.example.com/acme/ticket/1#comment:3",
            Some(("trac", "1", "", Some(3))),
        );
        check(
            "https://TRAC.example.com/acme/ticket/1#comment:x",
            Some(("trac", "1", "", None)),
        );
        check("https://trac.example.com/acme/ticket/0", None);
        check("https://trac.example.com/acme/ticket/abc", None);
        check("https://trac.example.com/other/ticket/1", None);
        check("https://trac.example.com/acmeX/ticket/1", None);
        check("https://trac.example.com/acme/wiki/ticket/1", None);
        check("https://trac.example.com.evil.io/acme/ticket/1", None);
        check("https://evil.io/trac.example.com/acme/ticket/1", None);
        check("https://trac.example.com:8443/acme/ticket/1", None);
        check("ftp://trac.example.com/acme/ticket/1", None);

        check(
            "https://acme.codebasehq.com/projects/shop/tickets/42",
            Some(("codebase", "42", "shop", None)),
        );
        check(
            "https://acme.codebasehq.com/projects/shop/tickets/42/",
            Some(("codebase", "42", "shop", None)),
        );
        check(
            "https://other.codebasehq.com/projects/shop/tickets/42",
            None,
        );
        check("https://acme.codebasehq.com/projects/shop/tickets", None);

        check(
            "https://trello.com/c/AbCd1234/12-fix-login",
            Some(("trello", "AbCd1234", "", None)),
        );
        check(
            "https://trello.com/c/AbCd1234",
            Some(("trello", "AbCd1234", "", None)),
        );
        check("https://trello.com/b/AbCd1234/board", None);
        check("https://trello.com.example.net/c/AbCd1234", None);

        check(
            "https://acme.atlassian.net/browse/SHOP-7",
            Some(("jira", "SHOP-7", "", None)),
        );
        check(
            "https://acme.atlassian.net/browse/shop-7?focusedCommentId=1",
            Some(("jira", "SHOP-7", "", None)),
        );
        check(
            "https://acme.atlassian.net/browse/shop-+7",
            Some(("jira", "SHOP-7", "", None)),
        );
        check("https://acme.atlassian.net/browse/7-SHOP", None);
        check("https://acme.atlassian.net.evil.io/browse/SHOP-7", None);

        check(
            "https://tracker.yandex.ru/QUEUE-12",
            Some(("yandex", "QUEUE-12", "", None)),
        );
        check(
            "https://tracker.yandex.ru/QUEUE-12/",
            Some(("yandex", "QUEUE-12", "", None)),
        );
        check("https://tracker.yandex.ru/pages/QUEUE-12", None);
        check("https://tracker.yandex.ru/QUEUE", None);

        check("not a url", None);
        check("https://example.com/ticket/1", None);
    }
}

#[cfg(test)]
mod prop_tests {
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
}
