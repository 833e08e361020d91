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
    let Interaction::Buttons(presses) = Interaction::from_form(form.as_bytes()).expect("ok") else {
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
    let form = serde_urlencoded::to_string([("payload", r#"{"type":"shortcut"}"#)]).expect("form");
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
