use super::*;

#[test]
/// Slack's documented example, with its lowercase placeholder ids (which
/// no real id has) replaced by well-formed ones.
fn parses_slacks_documented_link_shared_example() {
    let body = br#"{
            "token": "XXYYZZ", "team_id": "T0123ABCD", "api_app_id": "AXXXXXXXXX",
            "event": {
                "type": "link_shared", "channel": "C0123ABCD", "is_bot_user_member": true,
                "user": "U0123ABCD", "message_ts": "123456789.9875", "unfurl_id": "C123456.123456789.987501.1b90fa1278528ce6e2f6c5c2bfa1abc9a41d57d02b29d173f40399c9ffdecf4b",
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
    assert_eq!(e.channel.as_str(), "C0123ABCD");
    assert_eq!(e.team.as_ref().map(TeamId::as_str), Some("T0123ABCD"));
    assert_eq!(e.user.as_ref().map(UserId::as_str), Some("U0123ABCD"));
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

#[test]
fn ids_are_parsed_not_trusted() {
    let event = |channel: &str, team: &str, user: &str| {
        let body = serde_json::json!({
            "type": "event_callback", "event_id": "Ev1", "team_id": team,
            "event": {
                "type": "link_shared", "channel": channel, "user": user,
                "message_ts": "1.2", "links": [{"url": "https://example.com/1"}]
            }
        });
        SlackEvent::from_json(&serde_json::to_vec(&body).expect("JSON encodes"))
    };
    // A channel that is not a Slack id is a malformed event.
    assert_eq!(
        event("not a channel", "T1", "U1"),
        Err(EventError::Field("event.channel"))
    );
    // The composer's stand-in channel is accepted.
    let Ok(SlackEvent::LinkShared(e)) = event("COMPOSER", "T1", "U1") else {
        panic!("COMPOSER is refused");
    };
    assert_eq!(e.channel.as_str(), "COMPOSER");
    // A malformed team or user is no team or user, never a forged one.
    let Ok(SlackEvent::LinkShared(e)) = event("C1", "t1; drop", "<@U1>") else {
        panic!("a malformed team refused the whole event");
    };
    assert_eq!((e.team, e.user), (None, None));
}
