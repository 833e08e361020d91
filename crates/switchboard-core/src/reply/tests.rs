use super::*;

fn with(name: http::header::HeaderName, value: &str) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    h.insert(name, value.parse().expect("header value"));
    h
}

#[test]
fn content_types_are_matched_by_media_type() {
    let form = "application/x-www-form-urlencoded";
    let check = |value: Option<&str>, ok: bool| {
        let h = value.map_or_else(http::HeaderMap::new, |v| {
            with(http::header::CONTENT_TYPE, v)
        });
        assert_eq!(expect_content_type(&h, form).is_ok(), ok, "{value:?}");
    };
    check(None, true);
    check(Some(form), true);
    check(
        Some("Application/X-WWW-Form-Urlencoded; charset=utf-8"),
        true,
    );
    check(Some("application/json"), false);
    check(Some("text/plain"), false);
    check(Some(""), false);
    let refused = expect_content_type(&with(http::header::CONTENT_TYPE, "text/xml"), form)
        .expect_err("refused");
    assert_eq!(refused.status, 415);
    assert!(refused.body.contains(form), "{}", refused.body);
}

#[test]
fn declared_lengths_over_the_limit_are_caught() {
    let check = |value: &str, over: bool| {
        let h = with(http::header::CONTENT_LENGTH, value);
        assert_eq!(declares_too_large(&h), over, "{value}");
    };
    check("0", false);
    check(&MAX_BODY_BYTES.to_string(), false);
    check(&(MAX_BODY_BYTES + 1).to_string(), true);
    check("99999999999999999999999", false);
    check("lots", false);
    assert!(!declares_too_large(&http::HeaderMap::new()));
}
