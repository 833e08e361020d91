//! Slack's Socket Mode envelopes as the HTTP requests Slack would have
//! sent instead, and the acknowledgements that answer them.

use std::collections::{HashSet, VecDeque};

use http::{HeaderMap, HeaderValue, header};
use serde::Deserialize;
use switchboard_core::edge::{FORM, JSON};
use switchboard_core::reply::Reply;
use switchboard_core::secrets::Secret;
use switchboard_core::slack::verify::signed_headers;

/// One frame from Slack: `hello`, `disconnect`, or an envelope to answer.
#[derive(Debug, Deserialize)]
pub struct Frame {
    #[serde(rename = "type")]
    pub kind: String,
    pub envelope_id: Option<String>,
    #[serde(default)]
    pub payload: serde_json::Value,
    pub retry_attempt: Option<u64>,
    pub retry_reason: Option<String>,
    /// Why Slack is about to close the socket (`disconnect` only).
    pub reason: Option<String>,
}

/// What an envelope carries, and so which route handles it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A slash command; its acknowledgement carries the reply.
    Command,
    /// A button press.
    Interaction,
    /// An Events API callback.
    Event,
}

impl Kind {
    pub fn of(frame_type: &str) -> Option<Self> {
        match frame_type {
            "slash_commands" => Some(Self::Command),
            "interactive" => Some(Self::Interaction),
            "events_api" => Some(Self::Event),
            _ => None,
        }
    }
}

/// A request for the router: the path, the signed headers and the body.
#[derive(Debug)]
pub struct Request {
    pub path: &'static str,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// The request Slack would have posted over HTTP for this envelope, signed
/// with `secret`, so it passes the same checks as one from Slack; `None`
/// when the payload is not the shape its kind promises.
pub fn request(kind: Kind, frame: &Frame, secret: &Secret) -> Option<Request> {
    let (path, media, body) = match kind {
        Kind::Command => {
            // Slack sends a command's form fields as one JSON object.
            let fields: Vec<(&str, String)> = frame
                .payload
                .as_object()?
                .iter()
                .filter_map(|(k, v)| match v {
                    serde_json::Value::String(s) => Some((k.as_str(), s.clone())),
                    serde_json::Value::Bool(_) | serde_json::Value::Number(_) => {
                        Some((k.as_str(), v.to_string()))
                    }
                    _ => None,
                })
                .collect();
            let form = serde_urlencoded::to_string(fields).ok()?;
            ("/slack/commands", FORM, form.into_bytes())
        }
        Kind::Interaction => {
            frame.payload.as_object()?;
            let form =
                serde_urlencoded::to_string([("payload", frame.payload.to_string())]).ok()?;
            ("/slack/interactions", FORM, form.into_bytes())
        }
        Kind::Event => {
            frame.payload.as_object()?;
            (
                "/slack/events",
                JSON,
                frame.payload.to_string().into_bytes(),
            )
        }
    };
    let mut headers = signed_headers(secret, &body);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    // Over HTTP only a retry carries these, so a first delivery has none.
    if let Some(n) = frame.retry_attempt.filter(|n| *n > 0) {
        headers.insert("x-slack-retry-num", HeaderValue::from(n));
        if let Some(reason) = frame
            .retry_reason
            .as_deref()
            .and_then(|r| HeaderValue::from_str(r).ok())
        {
            headers.insert("x-slack-retry-reason", reason);
        }
    }
    Some(Request {
        path,
        headers,
        body,
    })
}

/// The acknowledgement of an envelope, with a reply for a slash command.
pub fn ack(envelope_id: &str, payload: Option<serde_json::Value>) -> String {
    let mut ack = serde_json::json!({ "envelope_id": envelope_id });
    if let Some(p) = payload {
        ack["payload"] = p;
    }
    ack.to_string()
}

/// A command's HTTP reply as an acknowledgement's payload: its JSON, or
/// plain text as `{"text": …}`; nothing for an empty or failed reply.
pub fn reply_payload(reply: &Reply) -> Option<serde_json::Value> {
    if reply.status != 200 {
        tracing::warn!(
            status = reply.status,
            "a Socket Mode command was refused by its route"
        );
        return None;
    }
    if reply.body.trim().is_empty() {
        return None;
    }
    match serde_json::from_str::<serde_json::Value>(&reply.body) {
        Ok(v) if v.is_object() => Some(v),
        _ => Some(serde_json::json!({ "text": reply.body })),
    }
}

/// The envelope ids handled lately, so one Slack delivers again (its ack
/// was lost with a socket) is acknowledged but not handled twice.
#[derive(Debug)]
pub struct Recent {
    ids: HashSet<String>,
    order: VecDeque<String>,
    capacity: usize,
}

impl Recent {
    pub fn new(capacity: usize) -> Self {
        Self {
            ids: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Whether `id` is new; it is remembered either way, and the oldest
    /// id is forgotten once `capacity` are held.
    pub fn first_time(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.order.len() >= self.capacity
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        self.ids.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

#[cfg(test)]
mod tests;
