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
mod tests;

#[cfg(test)]
mod prop_tests;
