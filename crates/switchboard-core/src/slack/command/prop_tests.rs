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
