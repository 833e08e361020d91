//! Webhook signatures: `sha256=` + hex HMAC-SHA256 of the raw body, as both
//! Bitbucket (`X-Hub-Signature`) and GitHub (`X-Hub-Signature-256`) send it.

use crate::secrets::Secret;
use hmac::{Hmac, Mac as _};
use sha2::Sha256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("no webhook secret is configured, so no request can be trusted")]
    NoSecret,
    #[error("the signature header is missing")]
    Missing,
    #[error("the signature is not sha256=<hex>")]
    Malformed,
    #[error("the signature does not match the body")]
    Mismatch,
}

/// Checks a `sha256=…` signature in constant time. Without a configured
/// secret every request is refused: an unsigned webhook could move issues.
pub fn verify(
    secret: Option<&Secret>,
    header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let secret = secret.ok_or(SignatureError::NoSecret)?;
    let header = header.ok_or(SignatureError::Missing)?;
    let given = header
        .trim()
        .strip_prefix("sha256=")
        .and_then(|h| hex::decode(h).ok())
        .ok_or(SignatureError::Malformed)?;
    mac(secret, body)
        .verify_slice(&given)
        .map_err(|_| SignatureError::Mismatch)
}

/// Signs a body the way the providers do (tests, the bench caller).
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

fn mac(secret: &Secret, body: &[u8]) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256>>::new_from_slice(secret.expose().as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(body);
    mac
}

#[cfg(test)]
mod tests {
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
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn arbitrary_headers_never_pass(
            header in proptest::option::of(prop_oneof![any::<String>(), "sha256=[0-9a-fA-Fz]{0,70}"]),
            body in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            prop_assert!(verify(Some(&Secret::new("s3cret")), header.as_deref(), &body).is_err());
        }

        #[test]
        fn signed_bodies_verify_and_changed_ones_do_not(
            secret in any::<String>(),
            body in proptest::collection::vec(any::<u8>(), 0..64),
            flip in any::<proptest::sample::Index>(),
        ) {
            let secret = Secret::new(secret);
            let signature = sign(&secret, &body);
            prop_assert_eq!(verify(Some(&secret), Some(&signature), &body), Ok(()));
            let mut other = body.clone();
            if other.is_empty() {
                other.push(0);
            } else {
                let i = flip.index(other.len());
                other[i] ^= 1;
            }
            prop_assert_eq!(verify(Some(&secret), Some(&signature), &other), Err(SignatureError::Mismatch));
        }
    }
}
