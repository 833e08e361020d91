use super::*;

#[test]
fn argument_checks() {
    for ok in [
        "acme",
        "feature/ABC-12",
        "v1.2.3",
        "snap@2026-11-01",
        "клиент",
    ] {
        assert_eq!(check_argument(ok), Ok(()), "{ok}");
    }
    for bad in [
        "",
        "-rf",
        "/etc/shadow",
        "a b",
        "x;rm",
        "$(id)",
        "a`b`",
        "../etc",
        &"x".repeat(101),
    ] {
        assert!(check_argument(bad).is_err(), "{bad}");
    }
}

#[test]
fn templates_fill_without_a_shell() {
    let t = vec![
        "backup".to_string(),
        "--client={client}".into(),
        "{from}".into(),
    ];
    assert_eq!(
        fill_template(&t, &[("client", "acme"), ("from", "snap-1")]),
        ["backup", "--client=acme", "snap-1"]
    );
}

#[test]
fn specs_round_trip() {
    let spec = JobSpec {
        id: "0123456789abcdef".parse().expect("job id"),
        record_sk: "1#0123456789abcdef".into(),
        requested_by: "U1".parse().expect("user id"),
        channel: "C1".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/x".parse().expect("response_url"),
        work: Work::Command {
            name: "backup".into(),
            argv: vec!["echo".into(), "hi".into()],
        },
    };
    assert_eq!(JobSpec::from_json(&spec.to_json()).expect("parse"), spec);
    assert!(JobSpec::from_json("{}").is_err());
}

#[test]
fn a_spec_with_a_malformed_id_is_refused() {
    let good = serde_json::json!({
        "id": "0123456789abcdef", "record_sk": "1#0123456789abcdef",
        "requested_by": "U1", "channel": "C1",
        "response_url": "https://hooks.slack.com/x",
        "work": {"type": "command", "name": "backup", "argv": []}
    });
    assert!(JobSpec::from_json(&good.to_string()).is_ok());
    for (field, bad) in [
        ("id", "../../etc"),
        ("requested_by", "<!channel>"),
        ("channel", "c1"),
        ("response_url", "file:///etc/passwd"),
    ] {
        let mut spec = good.clone();
        spec[field] = serde_json::Value::from(bad);
        assert!(
            JobSpec::from_json(&spec.to_string()).is_err(),
            "{field} = {bad:?} was accepted"
        );
    }
}
