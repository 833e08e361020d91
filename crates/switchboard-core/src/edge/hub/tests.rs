use super::*;

#[test]
fn githubs_documented_example_verifies() {
    // From GitHub's "Validating webhook deliveries" page.
    let secret = Secret::new("It's a Secret to Everybody");
    let sig = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert_eq!(verify(Some(&secret), Some(sig), b"Hello, World!"), Ok(()));
}

#[test]
fn table() {
    let secret = Secret::new("s3cret");
    let body = br#"{"pullrequest":{"title":"SHOP-1"}}"#;
    let good = sign(&secret, body);
    let check = |secret: Option<&Secret>, header: Option<&str>, body: &[u8], want| {
        assert_eq!(verify(secret, header, body,), want, "{header:?}");
    };
    check(Some(&secret), Some(&good), body, Ok(()));
    check(Some(&secret), Some(&format!(" {good} ")), body, Ok(()));
    check(
        Some(&Secret::new("wrong")),
        Some(&good),
        body,
        Err(SignatureError::Mismatch),
    );
    check(Some(&secret), None, body, Err(SignatureError::Missing));
    check(None, Some(&good), body, Err(SignatureError::NoSecret));
    check(
        Some(&secret),
        Some(&good.replace("sha256=", "sha1=")),
        body,
        Err(SignatureError::Malformed),
    );
    check(
        Some(&secret),
        Some("sha256=zz"),
        body,
        Err(SignatureError::Malformed),
    );
    check(
        Some(&secret),
        Some(&good),
        br#"{"pullrequest":{"title":"SHOP-2"}}"#,
        Err(SignatureError::Mismatch),
    );
    check(
        Some(&secret),
        Some(&good[..20]),
        body,
        Err(SignatureError::Malformed),
    );
    // A well-formed but shortened digest is a mismatch, not a match.
    check(
        Some(&secret),
        Some(&good[..21]),
        body,
        Err(SignatureError::Mismatch),
    );
}
