use super::*;

fn config(trackers: &[&str]) -> Config {
    let mut text = String::from("[slack]\ncommand = \"/ops\"\n");
    for (i, url) in trackers.iter().enumerate() {
        text.push_str(&format!(
            "[[trackers]]\nname = \"t{i}\"\nkind = \"trac\"\nurl = \"{url}\"\n"
        ));
    }
    Config::parse(&text, "test").expect("config")
}

#[test]
fn fills_urls_command_and_domains() {
    let c = config(&["https://trac.acme.example/x", "https://acme.codebasehq.com"]);
    let (m, warnings) = fill("https://abc.execute-api.eu-west-1.amazonaws.com/", &c).expect("ok");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(m.contains("url: https://abc.execute-api.eu-west-1.amazonaws.com/slack/commands"));
    assert!(m.contains(
        "request_url: https://abc.execute-api.eu-west-1.amazonaws.com/slack/interactions"
    ));
    assert!(m.contains("- command: /ops"));
    assert!(
        m.contains("    - acme.codebasehq.com\n    - trac.acme.example\n"),
        "{m}"
    );
    for placeholder in ["API_URL", "SLASH_COMMAND", "UNFURL_DOMAIN"] {
        assert!(!m.contains(placeholder), "{placeholder} left in:\n{m}");
    }
}

#[test]
fn socket_mode_has_no_urls() {
    let c = config(&["https://trac.acme.example"]);
    let (m, _) = render(None, &c);
    assert!(m.contains("socket_mode_enabled: true"), "{m}");
    assert!(!m.contains("socket_mode_enabled: false"), "{m}");
    assert!(!m.contains("url:") && !m.contains("API_URL"), "{m}");
    assert!(m.contains("- command: /ops") && m.contains("    - trac.acme.example\n"));
    assert!(m.contains("bot_events:\n      - link_shared"), "{m}");
    assert!(m.contains("interactivity:\n    is_enabled: true"), "{m}");
    let (http, _) = fill("https://a.example", &c).expect("ok");
    assert!(http.contains("socket_mode_enabled: false"), "{http}");
}

#[test]
fn too_many_domains_none_and_bad_urls() {
    let hosts: Vec<String> = (0..7).map(|i| format!("https://h{i}.example")).collect();
    let refs: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let (m, warnings) = fill("https://a.example", &config(&refs)).expect("ok");
    assert_eq!(m.matches("    - h").count(), 5);
    assert!(
        warnings[0].contains("h5.example, h6.example"),
        "{warnings:?}"
    );
    let (m, warnings) = fill("https://a.example", &config(&[])).expect("ok");
    assert!(m.contains("unfurl_domains: []"), "{m}");
    assert_eq!(warnings.len(), 1);
    assert!(fill("http://a.example", &config(&[])).is_err());
    assert!(fill("not a url", &config(&[])).is_err());
}

#[test]
fn reads_api_url_from_sam_outputs() {
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("outputs.json");
    std::fs::write(
            &file,
            r#"[{"OutputKey":"TableName","OutputValue":"t"},{"OutputKey":"ApiUrl","OutputValue":"https://x.example"}]"#,
        )
        .expect("write");
    assert_eq!(
        api_url_from_outputs(&file).expect("ok"),
        "https://x.example"
    );
    std::fs::write(&file, "[]").expect("write");
    assert!(api_url_from_outputs(&file).is_err());
}
