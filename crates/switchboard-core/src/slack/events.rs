//! The Events API envelope, turned into domain values.

use serde::Deserialize;

/// What an Events API request carries, as far as Switchboard cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlackEvent {
    /// Slack checking the request URL; answer with the challenge.
    UrlVerification {
        challenge: String,
    },
    LinkShared(LinkShared),
    /// Any other event: acknowledged and ignored.
    Other {
        event_id: Option<String>,
        kind: String,
    },
}

/// Someone shared links to a domain the app unfurls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkShared {
    pub event_id: String,
    pub team: String,
    pub channel: String,
    pub user: String,
    pub message_ts: String,
    pub unfurl_id: Option<String>,
    pub source: Option<String>,
    /// The links exactly as Slack sent them, in order, without repeats.
    pub links: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("the request body is not an Events API payload")]
    NotAnEvent,
    #[error("the event has a missing or malformed `{0}`")]
    Field(&'static str),
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    challenge: Option<String>,
    event_id: Option<String>,
    team_id: Option<String>,
    event: Option<Inner>,
}

#[derive(Deserialize)]
struct Inner {
    #[serde(rename = "type")]
    kind: String,
    channel: Option<String>,
    user: Option<String>,
    message_ts: Option<String>,
    unfurl_id: Option<String>,
    source: Option<String>,
    #[serde(default)]
    links: Vec<LinkWire>,
}

#[derive(Deserialize)]
struct LinkWire {
    url: String,
}

impl SlackEvent {
    pub fn from_json(body: &[u8]) -> Result<Self, EventError> {
        let env: Envelope = serde_json::from_slice(body).map_err(|_| EventError::NotAnEvent)?;
        match env.kind.as_str() {
            "url_verification" => Ok(Self::UrlVerification {
                challenge: env.challenge.ok_or(EventError::Field("challenge"))?,
            }),
            "event_callback" => {
                let inner = env.event.ok_or(EventError::Field("event"))?;
                if inner.kind != "link_shared" {
                    return Ok(Self::Other {
                        event_id: env.event_id,
                        kind: inner.kind,
                    });
                }
                let need = |v: Option<String>, name| {
                    v.filter(|s| !s.is_empty()).ok_or(EventError::Field(name))
                };
                let mut links: Vec<String> = Vec::new();
                for l in inner.links {
                    if !links.contains(&l.url) {
                        links.push(l.url);
                    }
                }
                Ok(Self::LinkShared(LinkShared {
                    event_id: need(env.event_id, "event_id")?,
                    team: env.team_id.unwrap_or_default(),
                    channel: need(inner.channel, "event.channel")?,
                    user: inner.user.unwrap_or_default(),
                    message_ts: need(inner.message_ts, "event.message_ts")?,
                    unfurl_id: inner.unfurl_id.filter(|s| !s.is_empty()),
                    source: inner.source.filter(|s| !s.is_empty()),
                    links,
                }))
            }
            other => Ok(Self::Other {
                event_id: env.event_id,
                kind: other.to_owned(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_slacks_documented_link_shared_example() {
        let body = br#"{
            "token": "XXYYZZ", "team_id": "TXXXXXXXX", "api_app_id": "AXXXXXXXXX",
            "event": {
                "type": "link_shared", "channel": "Cxxxxxx", "is_bot_user_member": true,
                "user": "Uxxxxxxx", "message_ts": "123456789.9875", "unfurl_id": "C123456.123456789.987501.1b90fa1278528ce6e2f6c5c2bfa1abc9a41d57d02b29d173f40399c9ffdecf4b",
                "event_ts": "123456621.1855", "source": "conversations_history",
                "links": [
                    {"domain": "example.com", "url": "https://example.com/12345"},
                    {"domain": "example.com", "url": "https://example.com/67890"},
                    {"domain": "example.com", "url": "https://example.com/12345"}
                ]
            },
            "type": "event_callback", "authed_users": ["UXXXXXXX1"],
            "event_id": "Ev08MFMKH6", "event_time": 123456789
        }"#;
        let SlackEvent::LinkShared(e) = SlackEvent::from_json(body).expect("parses") else {
            panic!("not link_shared");
        };
        assert_eq!(e.event_id, "Ev08MFMKH6");
        assert_eq!(e.channel, "Cxxxxxx");
        assert_eq!(e.source.as_deref(), Some("conversations_history"));
        assert_eq!(
            e.links,
            ["https://example.com/12345", "https://example.com/67890"]
        );
    }

    #[test]
    fn other_shapes() {
        assert_eq!(
            SlackEvent::from_json(br#"{"type":"url_verification","challenge":"3eZbrw1aB"}"#),
            Ok(SlackEvent::UrlVerification {
                challenge: "3eZbrw1aB".into()
            })
        );
        assert!(matches!(
            SlackEvent::from_json(
                br#"{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention"}}"#
            ),
            Ok(SlackEvent::Other { .. })
        ));
        assert_eq!(SlackEvent::from_json(b"nope"), Err(EventError::NotAnEvent));
        assert_eq!(
            SlackEvent::from_json(br#"{"type":"event_callback","event_id":"Ev1","event":{"type":"link_shared","message_ts":"1"}}"#),
            Err(EventError::Field("event.channel"))
        );
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "type",
        "url_verification",
        "event_callback",
        "link_shared",
        "challenge",
        "event_id",
        "team_id",
        "event",
        "channel",
        "user",
        "message_ts",
        "unfurl_id",
        "source",
        "links",
        "url",
        "domain",
        "https://trac.example.com/ticket/1",
    ];

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_bytes_are_an_event_or_an_error(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = SlackEvent::from_json(&body);
        }

        #[test]
        fn json_of_known_fields_never_panics(value in prop::json(WORDS)) {
            let body = serde_json::to_vec(&value).expect("JSON encodes");
            if let Ok(SlackEvent::LinkShared(shared)) = SlackEvent::from_json(&body) {
                prop_assert!(!shared.event_id.is_empty());
                let mut links = shared.links.clone();
                links.dedup();
                prop_assert_eq!(links.len(), shared.links.len());
            }
        }
    }
}
