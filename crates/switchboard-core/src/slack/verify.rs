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
mod tests;

#[cfg(test)]
mod prop_tests;
