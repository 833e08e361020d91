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
mod tests {
    use super::*;

    #[test]
    fn the_pressers_own_team_comes_first() {
        let form = |payload: serde_json::Value| {
            serde_urlencoded::to_string([("payload", payload.to_string())]).expect("form")
        };
        let teams = |payload| match Interaction::from_form(form(payload).as_bytes()) {
            Ok(Interaction::Buttons(p)) => p[0].team.as_ref().map(|t| t.to_string()),
            other => panic!("{other:?}"),
        };
        let actions = serde_json::json!([{ "action_id": "a", "value": "v" }]);
        assert_eq!(
            teams(serde_json::json!({
                "type": "block_actions", "actions": actions,
                "user": { "id": "U1", "team_id": "T0GUEST" }, "team": { "id": "T0HOST" },
            })),
            Some("T0GUEST".into())
        );
        assert_eq!(
            teams(serde_json::json!({
                "type": "block_actions", "actions": actions,
                "user": { "id": "U1" }, "team": { "id": "T0HOST" },
            })),
            Some("T0HOST".into())
        );
        assert_eq!(
            teams(serde_json::json!({
                "type": "block_actions", "actions": actions, "user": { "id": "U1" },
            })),
            None
        );
    }

    #[test]
    fn reads_a_button_press() {
        let form = button_form("U1", "sb_snooze", "cb/web/12", "https://hooks.slack.com/x");
        let Interaction::Buttons(presses) = Interaction::from_form(form.as_bytes()).expect("ok")
        else {
            panic!("expected buttons");
        };
        assert_eq!(presses.len(), 1);
        assert_eq!(presses[0].user.as_str(), "U1");
        assert_eq!(presses[0].action_id, "sb_snooze");
        assert_eq!(presses[0].value, "cb/web/12");
        assert_eq!(
            presses[0].response_url.as_ref().map(ResponseUrl::as_str),
            Some("https://hooks.slack.com/x")
        );
    }

    #[test]
    fn other_types_and_bad_bodies() {
        let form =
            serde_urlencoded::to_string([("payload", r#"{"type":"shortcut"}"#)]).expect("form");
        assert_eq!(
            Interaction::from_form(form.as_bytes()),
            Ok(Interaction::Other("shortcut".into()))
        );
        assert_eq!(
            Interaction::from_form(b"text=hi"),
            Err(InteractionError::NotAForm)
        );
        let form = serde_urlencoded::to_string([("payload", "{not json")]).expect("form");
        assert!(matches!(
            Interaction::from_form(form.as_bytes()),
            Err(InteractionError::Payload(_))
        ));
        let form = serde_urlencoded::to_string([(
            "payload",
            r#"{"type":"block_actions","user":{"id":"nope"},"actions":[]}"#,
        )])
        .expect("form");
        assert!(matches!(
            Interaction::from_form(form.as_bytes()),
            Err(InteractionError::Payload(_))
        ));
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "type",
        "block_actions",
        "user",
        "id",
        "U1",
        "actions",
        "action_id",
        "value",
        "response_url",
        "https://hooks.slack.com/x",
    ];

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_bytes_are_an_interaction_or_an_error(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = Interaction::from_form(&body);
        }

        #[test]
        fn payloads_of_known_fields_never_panic(value in prop::json(WORDS)) {
            let form = serde_urlencoded::to_string([("payload", value.to_string())])
                .expect("form encodes");
            if let Ok(Interaction::Buttons(presses)) = Interaction::from_form(form.as_bytes()) {
                prop_assert!(presses.len() <= MAX_ACTIONS);
            }
        }

        #[test]
        fn button_form_round_trips(
            user in "[UWB][A-Z0-9]{1,31}",
            action_id in any::<String>(),
            value in any::<String>(),
            url in prop_oneof!["https?://[ -~]{0,60}", any::<String>()],
        ) {
            let form = button_form(&user, &action_id, &value, &url);
            let got = Interaction::from_form(form.as_bytes()).expect("our own form parses");
            let want = ButtonPress {
                user: UserId::parse(&user).expect("generated user id"),
                team: None,
                action_id,
                value,
                response_url: ResponseUrl::parse(&url).ok(),
            };
            prop_assert_eq!(got, Interaction::Buttons(vec![want]));
        }
    }
}
