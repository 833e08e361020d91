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
