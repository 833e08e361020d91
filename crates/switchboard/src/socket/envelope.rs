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
mod tests {
    use super::*;
    use switchboard_core::slack::verify;

    fn frame(text: &str) -> Frame {
        serde_json::from_str(text).expect("frame")
    }

    #[test]
    fn a_command_becomes_its_signed_form() {
        let secret = Secret::new("local");
        let f = frame(
            r#"{"type":"slash_commands","envelope_id":"e1","accepts_response_payload":true,
                "payload":{"command":"/ops","text":"help me","user_id":"U1","is_enterprise_install":false,"extra":{"a":1}}}"#,
        );
        let req = request(Kind::Command, &f, &secret).expect("request");
        assert_eq!(req.path, "/slack/commands");
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).expect("form");
        assert!(
            form.contains(&("text".into(), "help me".into())),
            "{form:?}"
        );
        assert!(form.contains(&("is_enterprise_install".into(), "false".into())));
        assert!(!form.iter().any(|(k, _)| k == "extra"), "{form:?}");
        assert_eq!(req.headers[header::CONTENT_TYPE], FORM);
        assert!(verify::guard(Some(&secret), &req.headers, &req.body).is_ok());
        assert!(verify::guard(Some(&Secret::new("other")), &req.headers, &req.body).is_err());
        assert!(req.headers.get("x-slack-retry-num").is_none());
    }

    #[test]
    fn events_keep_their_retry_and_odd_payloads_are_refused() {
        let secret = Secret::new("local");
        let f = frame(
            r#"{"type":"events_api","envelope_id":"e2","retry_attempt":2,"retry_reason":"timeout",
                "payload":{"type":"event_callback","event_id":"Ev1"}}"#,
        );
        let req = request(Kind::Event, &f, &secret).expect("request");
        assert_eq!(req.path, "/slack/events");
        assert_eq!(req.headers["x-slack-retry-num"], "2");
        assert_eq!(req.headers["x-slack-retry-reason"], "timeout");
        let body: serde_json::Value = serde_json::from_slice(&req.body).expect("json");
        assert_eq!(body["event_id"], "Ev1");
        let press = frame(
            r#"{"type":"interactive","envelope_id":"e3","payload":{"type":"block_actions"}}"#,
        );
        let req = request(Kind::Interaction, &press, &secret).expect("request");
        let form: Vec<(String, String)> = serde_urlencoded::from_bytes(&req.body).expect("form");
        assert_eq!(form[0].0, "payload");
        let bad = frame(r#"{"type":"events_api","envelope_id":"e4","payload":"nope"}"#);
        assert!(request(Kind::Event, &bad, &secret).is_none());
        assert!(request(Kind::Command, &bad, &secret).is_none());
    }

    #[test]
    fn acks_and_replies() {
        assert_eq!(ack("e1", None), r#"{"envelope_id":"e1"}"#);
        let json = Reply::json(200, &serde_json::json!({"text": "hi"}));
        assert_eq!(
            ack("e1", reply_payload(&json)),
            r#"{"envelope_id":"e1","payload":{"text":"hi"}}"#
        );
        assert_eq!(
            reply_payload(&Reply::plain(200, "plain")),
            Some(serde_json::json!({"text": "plain"}))
        );
        assert_eq!(reply_payload(&Reply::plain(200, "")), None);
        assert_eq!(reply_payload(&Reply::plain(401, "no")), None);
    }

    #[test]
    fn recent_ids_are_bounded() {
        let mut r = Recent::new(2);
        assert!(r.first_time("a"));
        assert!(!r.first_time("a"));
        assert!(r.first_time("b"));
        assert!(r.first_time("c"));
        assert!(r.first_time("a"), "the oldest was forgotten");
        assert!(!r.first_time("c"));
    }
}
