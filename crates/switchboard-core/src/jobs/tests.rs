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
        id: "0123456789abcdef".into(),
        record_sk: "1#0123456789abcdef".into(),
        requested_by: "U1".into(),
        channel: "C1".into(),
        response_url: "https://hooks.slack.com/x".into(),
        work: Work::Command {
            name: "backup".into(),
            argv: vec!["echo".into(), "hi".into()],
        },
    };
    assert_eq!(JobSpec::from_json(&spec.to_json()).expect("parse"), spec);
    assert!(JobSpec::from_json("{}").is_err());
}
