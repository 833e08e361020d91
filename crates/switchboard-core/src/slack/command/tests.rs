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
