//! The Events API envelope, turned into domain values.

use serde::Deserialize;

use crate::ids::{ChannelId, TeamId, UserId};

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
    /// Absent or malformed, it is no workspace, which `slack.team_ids` refuses.
    pub team: Option<TeamId>,
    /// Slack's stand-in `COMPOSER` for a message still being written parses too.
    pub channel: ChannelId,
    pub user: Option<UserId>,
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
                    team: env.team_id.and_then(|t| TeamId::parse(&t).ok()),
                    channel: ChannelId::parse(&need(inner.channel, "event.channel")?)
                        .map_err(|_| EventError::Field("event.channel"))?,
                    user: inner.user.and_then(|u| UserId::parse(&u).ok()),
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
mod tests;

#[cfg(test)]
mod prop_tests;
