//! The slash-command form Slack posts, turned into a domain value.

use serde::Deserialize;

use crate::ids::{ChannelId, TeamId, UserId};

/// Where follow-ups to one command go; valid for 30 minutes and 5 posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseUrl(String);

impl ResponseUrl {
    pub fn parse(value: &str) -> Result<Self, CommandFormError> {
        if value.starts_with("https://") || value.starts_with("http://") {
            Ok(Self(value.to_owned()))
        } else {
            Err(CommandFormError::Field("response_url"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A slash command as the core sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlashCommand {
    pub team: TeamId,
    pub user: UserId,
    pub user_name: String,
    pub channel: ChannelId,
    pub command: String,
    pub text: String,
    pub response_url: ResponseUrl,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CommandFormError {
    #[error("the request body is not a slash-command form")]
    NotAForm,
    #[error("the slash-command form has a missing or malformed `{0}`")]
    Field(&'static str),
}

#[derive(Deserialize)]
struct Wire {
    team_id: Option<String>,
    user_id: Option<String>,
    #[serde(default)]
    user_name: String,
    channel_id: Option<String>,
    command: Option<String>,
    #[serde(default)]
    text: String,
    response_url: Option<String>,
}

/// Longest command text we look at; Slack itself caps messages far below.
const MAX_TEXT: usize = 4000;

impl SlashCommand {
    /// Parses the `application/x-www-form-urlencoded` body.
    pub fn from_form(body: &[u8]) -> Result<Self, CommandFormError> {
        let wire: Wire =
            serde_urlencoded::from_bytes(body).map_err(|_| CommandFormError::NotAForm)?;
        let need = |v: Option<String>, name| {
            v.filter(|s| !s.is_empty())
                .ok_or(CommandFormError::Field(name))
        };
        let team = TeamId::parse(&need(wire.team_id, "team_id")?)
            .map_err(|_| CommandFormError::Field("team_id"))?;
        let user = UserId::parse(&need(wire.user_id, "user_id")?)
            .map_err(|_| CommandFormError::Field("user_id"))?;
        let channel = ChannelId::parse(&need(wire.channel_id, "channel_id")?)
            .map_err(|_| CommandFormError::Field("channel_id"))?;
        let command = need(wire.command, "command")?;
        if !command.starts_with('/') {
            return Err(CommandFormError::Field("command"));
        }
        let response_url = ResponseUrl::parse(&need(wire.response_url, "response_url")?)?;
        if wire.text.len() > MAX_TEXT {
            return Err(CommandFormError::Field("text"));
        }
        Ok(Self {
            team,
            user,
            user_name: wire.user_name,
            channel,
            command,
            text: wire.text,
            response_url,
        })
    }

    /// Encodes the form, as Slack would send it (used by `switchboard send`).
    pub fn to_form(&self) -> String {
        serde_urlencoded::to_string([
            ("team_id", self.team.as_str()),
            ("user_id", self.user.as_str()),
            ("user_name", self.user_name.as_str()),
            ("channel_id", self.channel.as_str()),
            ("command", self.command.as_str()),
            ("text", self.text.as_str()),
            ("response_url", self.response_url.as_str()),
        ])
        .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FORM: &str = "token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&team_domain=example&enterprise_id=E0001&enterprise_name=Globular%20Construct%20Inc&channel_id=C2147483705&channel_name=test&user_id=U2147483697&user_name=Steve&command=/weather&text=94070&response_url=https://hooks.slack.com/commands/1234/5678&trigger_id=13345224609.738474920.8088930838d88f008e0&api_app_id=A123456";

    #[test]
    fn parses_slacks_documented_form() {
        let c = SlashCommand::from_form(FORM.as_bytes()).expect("documented form");
        assert_eq!(c.team.as_str(), "T0001");
        assert_eq!(c.user.as_str(), "U2147483697");
        assert_eq!(c.channel.as_str(), "C2147483705");
        assert_eq!(c.command, "/weather");
        assert_eq!(c.text, "94070");
        assert_eq!(
            c.response_url.as_str(),
            "https://hooks.slack.com/commands/1234/5678"
        );
        let again = SlashCommand::from_form(c.to_form().as_bytes()).expect("round trip");
        assert_eq!(again, c);
    }

    #[test]
    fn bad_forms_name_the_field() {
        let check = |body: &str, expected: CommandFormError| {
            assert_eq!(
                SlashCommand::from_form(body.as_bytes()),
                Err(expected),
                "{body}"
            );
        };
        check(
            &FORM.replace("user_id=U2147483697&", ""),
            CommandFormError::Field("user_id"),
        );
        check(
            &FORM.replace("channel_id=C2147483705", "channel_id=%00"),
            CommandFormError::Field("channel_id"),
        );
        check(
            &FORM.replace("response_url=https", "response_url=javascript"),
            CommandFormError::Field("response_url"),
        );
        check(
            &FORM.replace("command=/weather", "command=weather"),
            CommandFormError::Field("command"),
        );
        check("", CommandFormError::Field("team_id"));
        check(
            &FORM.replace("text=94070", &format!("text={}", "a".repeat(5000))),
            CommandFormError::Field("text"),
        );
        check("%%%", CommandFormError::Field("team_id"));
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    const FIELDS: &[&str] = &[
        "team_id",
        "user_id",
        "user_name",
        "channel_id",
        "command",
        "text",
        "response_url",
        "token",
        "T0001",
        "U2147483697",
        "C2147483705",
        "/example",
        "https://hooks.slack.com/commands/1/2",
        "help",
    ];

    fn id(prefixes: &'static str) -> impl Strategy<Value = String> {
        (
            "[A-Z0-9]{1,31}",
            proptest::sample::select(prefixes.as_bytes()),
        )
            .prop_map(|(rest, p)| format!("{}{rest}", char::from(p)))
    }

    fn command() -> impl Strategy<Value = SlashCommand> {
        (
            id("TE"),
            id("UWB"),
            any::<String>(),
            id("CGD"),
            "/[a-z_-]{1,20}",
            prop_oneof![any::<String>(), "[ -~]{0,200}"],
            "https?://[ -~]{0,80}",
        )
            .prop_filter("text within the limit", |c| c.5.len() <= MAX_TEXT)
            .prop_map(
                |(team, user, user_name, channel, command, text, url)| SlashCommand {
                    team: TeamId::parse(&team).expect("generated team id"),
                    user: UserId::parse(&user).expect("generated user id"),
                    user_name,
                    channel: ChannelId::parse(&channel).expect("generated channel id"),
                    command,
                    text,
                    response_url: ResponseUrl::parse(&url).expect("generated URL"),
                },
            )
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_bytes_are_a_form_or_an_error(body in proptest::collection::vec(any::<u8>(), 0..300)) {
            let _ = SlashCommand::from_form(&body);
        }

        #[test]
        fn forms_of_known_fields_never_panic(
            pairs in proptest::collection::vec((prop::word(FIELDS), prop::word(FIELDS)), 0..10),
        ) {
            let body = serde_urlencoded::to_string(&pairs).expect("pairs encode");
            if let Ok(c) = SlashCommand::from_form(body.as_bytes()) {
                prop_assert!(c.command.starts_with('/'));
                prop_assert!(c.text.len() <= MAX_TEXT);
            }
        }

        #[test]
        fn to_form_round_trips(c in command()) {
            let again = SlashCommand::from_form(c.to_form().as_bytes());
            prop_assert_eq!(again, Ok(c));
        }
    }
}
