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
