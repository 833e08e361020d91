use super::*;
use crate::testing::prop;
use proptest::prelude::*;

fn header_value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..80),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        "[ +-]?[0-9]{0,25} ?".prop_map(String::into_bytes),
        "v0=[0-9a-fA-Fz]{0,70}".prop_map(String::into_bytes),
    ]
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn arbitrary_headers_never_panic_nor_pass(
        ts in proptest::option::of(header_value()),
        sig in proptest::option::of(header_value()),
        body in proptest::collection::vec(any::<u8>(), 0..64),
        now in any::<i64>(),
    ) {
        let mut headers = HeaderMap::new();
        for (name, value) in [("x-slack-request-timestamp", ts), ("x-slack-signature", sig)] {
            // Bytes that are no header value cannot reach us over HTTP.
            if let Some(v) = value.and_then(|v| http::HeaderValue::from_bytes(&v).ok()) {
                headers.insert(name, v);
            }
        }
        prop_assert!(verify(&Secret::new("s3cret"), &headers, &body, now).is_err());
    }

    #[test]
    fn signed_requests_verify_only_inside_the_window(
        secret in "[ -~]{0,40}",
        body in proptest::collection::vec(any::<u8>(), 0..64),
        ts in any::<i64>(),
        skew in -400i64..400,
    ) {
        let secret = Secret::new(&secret);
        let now = ts.saturating_add(skew);
        let mut headers = HeaderMap::new();
        headers.insert("x-slack-request-timestamp", http::HeaderValue::from(ts));
        headers.insert(
            "x-slack-signature",
            http::HeaderValue::try_from(sign(&secret, ts, &body)).expect("hex header"),
        );
        let got = verify(&secret, &headers, &body, now);
        if ts.abs_diff(now) <= MAX_SKEW_SECS.unsigned_abs() {
            prop_assert_eq!(got, Ok(()));
            let mut other = body.clone();
            other.push(b'x');
            prop_assert_eq!(verify(&secret, &headers, &other, now), Err(VerifyError::BadSignature));
        } else {
            prop_assert_eq!(got, Err(VerifyError::Stale));
        }
    }
}
