//! Interactive payloads (`POST /slack/interactions`): the form Slack posts
//! when someone presses a button, with its JSON in the `payload` field.

use serde::Deserialize;

use super::ResponseUrl;
use crate::ids::{TeamId, UserId};

/// One pressed button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ButtonPress {
    pub user: UserId,
    /// The presser's own workspace (not the channel's, which differs in
    /// Slack Connect); `None` when the payload names none that parses.
    pub team: Option<TeamId>,
    pub action_id: String,
    pub value: String,
    pub response_url: Option<ResponseUrl>,
}

/// What an interaction payload holds, as far as Switchboard acts on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Interaction {
    /// `block_actions`: the buttons pressed (usually one).
    Buttons(Vec<ButtonPress>),
    /// Another type (shortcut, view submission…), which Switchboard does
    /// not use; Slack still wants a 200.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InteractionError {
    #[error("the request body is not an interaction form with a payload field")]
    NotAForm,
    #[error("the interaction payload is not JSON Switchboard can read: {0}")]
    Payload(String),
}

#[derive(Deserialize)]
struct Form {
    payload: String,
}

#[derive(Deserialize)]
struct Wire {
    #[serde(rename = "type")]
    kind: String,
    user: Option<WireUser>,
    team: Option<WireTeam>,
    #[serde(default)]
    actions: Vec<WireAction>,
    response_url: Option<String>,
}

#[derive(Deserialize)]
struct WireUser {
    id: String,
    team_id: Option<String>,
}

#[derive(Deserialize)]
struct WireTeam {
    id: Option<String>,
}

#[derive(Deserialize)]
struct WireAction {
    #[serde(default)]
    action_id: String,
    #[serde(default)]
    value: String,
}

/// Slack sends a handful of actions at most; more is not Slack.
const MAX_ACTIONS: usize = 10;

impl Interaction {
    /// Parses the `application/x-www-form-urlencoded` body.
    pub fn from_form(body: &[u8]) -> Result<Self, InteractionError> {
        let form: Form =
            serde_urlencoded::from_bytes(body).map_err(|_| InteractionError::NotAForm)?;
        let wire: Wire = serde_json::from_str(&form.payload)
            .map_err(|e| InteractionError::Payload(e.to_string()))?;
        if wire.kind != "block_actions" {
            return Ok(Self::Other(wire.kind));
        }
        let wire_user = wire
            .user
            .ok_or_else(|| InteractionError::Payload("block_actions without a user".into()))?;
        let user = UserId::parse(&wire_user.id)
            .map_err(|_| InteractionError::Payload("the user id is malformed".into()))?;
        let team = wire_user
            .team_id
            .or_else(|| wire.team.and_then(|t| t.id))
            .and_then(|t| TeamId::parse(&t).ok());
        if wire.actions.len() > MAX_ACTIONS {
            return Err(InteractionError::Payload("too many actions".into()));
        }
        // A response_url that is not a URL is dropped: the press still counts.
        let response_url = wire
            .response_url
            .as_deref()
            .and_then(|u| ResponseUrl::parse(u).ok());
        Ok(Self::Buttons(
            wire.actions
                .into_iter()
                .map(|a| ButtonPress {
                    user: user.clone(),
                    team: team.clone(),
                    action_id: a.action_id,
                    value: a.value,
                    response_url: response_url.clone(),
                })
                .collect(),
        ))
    }
}

/// Encodes a `block_actions` form for one button press, as Slack sends it
/// (tests and `switchboard` tools).
pub fn button_form(user: &str, action_id: &str, value: &str, response_url: &str) -> String {
    let payload = serde_json::json!({
        "type": "block_actions",
        "user": { "id": user },
        "actions": [{ "type": "button", "action_id": action_id, "value": value }],
        "response_url": response_url,
    });
    serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap_or_default()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
