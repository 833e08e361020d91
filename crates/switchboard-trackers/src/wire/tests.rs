use super::*;

#[test]
fn endpoints_encode_segments_under_the_base() {
    let check = |base: &str, segments: &[&str], expected: &str| {
        let url = endpoint(base, segments).expect("a usable base");
        assert_eq!(url.as_str(), expected, "{base} + {segments:?}");
    };
    check(
        "https://api.example.com",
        &["1", "cards", "abc"],
        "https://api.example.com/1/cards/abc",
    );
    check(
        "https://api.example.com/",
        &["v3", "issues", "A-1"],
        "https://api.example.com/v3/issues/A-1",
    );
    check(
        "https://jira.example.com/jira",
        &["rest", "x"],
        "https://jira.example.com/jira/rest/x",
    );
    check(
        "https://jira.example.com/jira/",
        &["rest", "x"],
        "https://jira.example.com/jira/rest/x",
    );
    check(
        "https://api.example.com",
        &["../admin", "a b?c#d"],
        "https://api.example.com/..%2Fadmin/a%20b%3Fc%23d",
    );
    assert!(endpoint("not a url", &["x"]).is_err());
    assert!(endpoint("mailto:someone@example.com", &["x"]).is_err());
}

#[test]
fn only_plain_keys_may_go_into_a_path() {
    for key in ["SHOP-7", "TREK-9844", "10001", "a_b-C"] {
        assert_eq!(path_key(key).ok(), Some(key), "{key:?}");
    }
    for key in [
        "", ".", "..", "../x", "A/1", "A-1?x", "A-1#x", "A 1", "A%2F1", "ÄB-1",
    ] {
        assert!(
            matches!(path_key(key), Err(TrackerError::NotFound)),
            "{key:?}"
        );
    }
}

#[test]
fn excerpts_keep_short_text_and_cut_long_text_at_a_boundary() {
    assert_eq!(excerpt("  short\n"), "short");
    assert_eq!(excerpt(""), "");
    let long = "слово ".repeat(400);
    let cut = excerpt(&long);
    assert!(cut.ends_with("слово…"), "{cut:?}");
    assert!(cut.chars().count() <= DESCRIPTION_CHARS);
    let unbroken = "x".repeat(DESCRIPTION_CHARS * 2);
    assert_eq!(excerpt(&unbroken).chars().count(), DESCRIPTION_CHARS);
}

#[test]
fn blanks_are_no_value() {
    assert_eq!(non_empty(Some("  a ")), Some("a".to_owned()));
    assert_eq!(non_empty(Some(" \n")), None);
    assert_eq!(non_empty(None), None);
}
