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
    let press =
        frame(r#"{"type":"interactive","envelope_id":"e3","payload":{"type":"block_actions"}}"#);
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
