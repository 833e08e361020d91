//! An HTTP answer, independent of the server that sends it (Lambda or
//! `serve`).

use crate::slack::Message;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: String,
}

impl Reply {
    /// A Slack message as an immediate reply.
    pub fn message(m: &Message) -> Self {
        Self::json(200, &m.to_response_json())
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Self {
            status,
            content_type: "application/json",
            body: value.to_string(),
        }
    }

    pub fn plain(status: u16, body: &str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            body: body.to_owned(),
        }
    }
}

/// The largest request body any route reads. Slack and webhook payloads are
/// far smaller, so anything bigger is refused before a handler sees it.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

impl Reply {
    /// The answer to a body over [`MAX_BODY_BYTES`].
    pub fn too_large() -> Self {
        Self::plain(413, "the request body is larger than 1 MiB")
    }
}

/// True when the request declares a body longer than [`MAX_BODY_BYTES`].
pub fn declares_too_large(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
}

/// Refuses a request whose `Content-Type` names another media type than
/// `expected` (415). A request without one is read as `expected`, as the
/// tools people test with often send none.
pub fn expect_content_type(headers: &http::HeaderMap, expected: &str) -> Result<(), Reply> {
    let Some(value) = headers.get(http::header::CONTENT_TYPE) else {
        return Ok(());
    };
    let media = value
        .to_str()
        .ok()
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .unwrap_or_default();
    if media.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(Reply::plain(
            415,
            &format!("expected Content-Type {expected}"),
        ))
    }
}

#[cfg(test)]
mod tests;
