//! Slack's v0 request signing: HMAC-SHA256 of `v0:{timestamp}:{body}`.

use hmac::{Hmac, Mac as _};
use http::HeaderMap;
use sha2::Sha256;

use crate::secrets::Secret;

/// How far a request's timestamp may be from our clock, either way.
pub const MAX_SKEW_SECS: i64 = 300;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("missing X-Slack-Request-Timestamp header")]
    MissingTimestamp,
    #[error("missing X-Slack-Signature header")]
    MissingSignature,
    #[error("X-Slack-Request-Timestamp is not a number")]
    BadTimestamp,
    #[error("request timestamp is more than 5 minutes away from now")]
    Stale,
    #[error("X-Slack-Signature does not match the request")]
    BadSignature,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

fn mac(secret: &Secret, timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(b"v0:");
    mac.update(timestamp.as_bytes());
    mac.update(b":");
    mac.update(body);
    mac
}

/// Checks a request's signature against the raw body, as received.
pub fn verify(
    secret: &Secret,
    headers: &HeaderMap,
    body: &[u8],
    now: i64,
) -> Result<(), VerifyError> {
    let timestamp =
        header(headers, "x-slack-request-timestamp").ok_or(VerifyError::MissingTimestamp)?;
    let signature = header(headers, "x-slack-signature").ok_or(VerifyError::MissingSignature)?;
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|_| VerifyError::BadTimestamp)?;
    // abs_diff cannot overflow, whatever number the header carries.
    if ts.abs_diff(now) > MAX_SKEW_SECS.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let given = signature
        .strip_prefix("v0=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(VerifyError::BadSignature)?;
    // verify_slice compares in constant time.
    mac(secret, timestamp, body)
        .verify_slice(&given)
        .map_err(|_| VerifyError::BadSignature)
}

/// The first step of every Slack route: without a configured secret or a
/// valid signature the request gets its HTTP answer here (500 or 401),
/// with a log line, and goes no further.
pub fn guard(
    secret: Option<&Secret>,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), crate::reply::Reply> {
    let Some(secret) = secret else {
        tracing::error!("SLACK_SIGNING_SECRET is not configured; refusing every request");
        return Err(crate::reply::Reply::plain(
            500,
            "Switchboard is missing its Slack signing secret.",
        ));
    };
    verify(secret, headers, body, crate::clock::now_secs()).map_err(|e| {
        tracing::warn!(reason = %e, "rejected a request with a bad Slack signature");
        crate::reply::Reply::plain(401, "invalid Slack signature")
    })
}

/// The two headers Slack signs a request with, for a body sent now: what
/// `switchboard send`, the benchmarks and the tests put on their requests.
pub fn signed_headers(secret: &Secret, body: &[u8]) -> HeaderMap {
    let now = crate::clock::now_secs();
    let mut headers = HeaderMap::new();
    headers.insert("x-slack-request-timestamp", http::HeaderValue::from(now));
    // Hex digits and `v0=` are always a valid header value.
    if let Ok(value) = http::HeaderValue::try_from(sign(secret, now, body)) {
        headers.insert("x-slack-signature", value);
    }
    headers
}

/// Signs a body the way Slack does; `switchboard send` and tests use it.
pub fn sign(secret: &Secret, timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("v0={}", hex::encode(tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000;

    fn headers(ts: Option<String>, sig: Option<String>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(ts) = ts {
            h.insert("x-slack-request-timestamp", ts.parse().expect("header"));
        }
        if let Some(sig) = sig {
            h.insert("x-slack-signature", sig.parse().expect("header"));
        }
        h
    }

    #[test]
    fn signed_headers_verify() {
        let secret = Secret::new("s3cret");
        let h = signed_headers(&secret, b"text=help");
        assert_eq!(
            verify(&secret, &h, b"text=help", crate::clock::now_secs()),
            Ok(())
        );
        assert_eq!(
            verify(&secret, &h, b"text=deploy", crate::clock::now_secs()),
            Err(VerifyError::BadSignature)
        );
    }

    #[test]
    fn slacks_documented_example_verifies() {
        // The worked example from Slack's "Verifying requests from Slack" page.
        let secret = Secret::new("8f742231b10e8888abcd99yyyzzz85a5");
        let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
        let h = headers(
            Some("1531420618".into()),
            Some("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503".into()),
        );
        assert_eq!(verify(&secret, &h, body, 1_531_420_618 + 10), Ok(()));
    }

    #[test]
    fn verification_table() {
        let secret = Secret::new("s3cret");
        let body = b"command=%2Fexample&text=help";
        let good = sign(&secret, NOW, body);
        let check = |ts: Option<String>, sig: Option<String>, body: &[u8], expected| {
            assert_eq!(verify(&secret, &headers(ts, sig), body, NOW), expected);
        };
        let now = || Some(NOW.to_string());
        check(now(), Some(good.clone()), body, Ok(()));
        check(
            Some((NOW - 299).to_string()),
            Some(sign(&secret, NOW - 299, body)),
            body,
            Ok(()),
        );
        check(
            now(),
            Some(sign(&Secret::new("wrong"), NOW, body)),
            body,
            Err(VerifyError::BadSignature),
        );
        check(
            Some((NOW - 301).to_string()),
            Some(sign(&secret, NOW - 301, body)),
            body,
            Err(VerifyError::Stale),
        );
        check(
            Some((NOW + 301).to_string()),
            Some(sign(&secret, NOW + 301, body)),
            body,
            Err(VerifyError::Stale),
        );
        check(
            None,
            Some(good.clone()),
            body,
            Err(VerifyError::MissingTimestamp),
        );
        check(now(), None, body, Err(VerifyError::MissingSignature));
        check(
            Some("soon".into()),
            Some(good.clone()),
            body,
            Err(VerifyError::BadTimestamp),
        );
        // Extreme timestamps are stale, not an arithmetic overflow.
        for extreme in [i64::MIN, i64::MAX] {
            check(
                Some(extreme.to_string()),
                Some(good.clone()),
                body,
                Err(VerifyError::Stale),
            );
        }
        check(
            now(),
            Some(good.clone()),
            b"command=%2Fexample&text=deploy",
            Err(VerifyError::BadSignature),
        );
        check(
            now(),
            Some(good.replace("v0=", "v1=")),
            body,
            Err(VerifyError::BadSignature),
        );
        check(
            now(),
            Some("v0=zz".into()),
            body,
            Err(VerifyError::BadSignature),
        );
        check(
            now(),
            Some(good[..20].to_string()),
            body,
            Err(VerifyError::BadSignature),
        );
        // The timestamp is part of what is signed.
        check(
            Some((NOW + 1).to_string()),
            Some(good),
            body,
            Err(VerifyError::BadSignature),
        );
    }
}

#[cfg(test)]
mod prop_tests {
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
}
