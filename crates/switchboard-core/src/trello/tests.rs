use proptest::prelude::*;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::testing::prop;

const KEY: &str = "key-0123456789abcdef";
const TOKEN: &str = "token-0123456789abcdef0123456789abcdef";

fn api(url: &str) -> TrelloApi {
    TrelloApi::new(
        reqwest::Client::new(),
        url,
        Secret::new(KEY),
        Secret::new(TOKEN),
    )
}

#[tokio::test]
async fn a_board_is_read_with_the_credentials_and_refusals_keep_their_status() {
    let trello = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/1/boards/aBcD1234"))
        .and(query_param("fields", "name,url"))
        .and(query_param("key", KEY))
        .and(query_param("token", TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"id": "b1", "name": "Website"})),
        )
        .mount(&trello)
        .await;
    Mock::given(method("GET"))
        .and(path("/1/boards/gone1234"))
        .respond_with(ResponseTemplate::new(404).set_body_string(format!("no board for {TOKEN}")))
        .mount(&trello)
        .await;
    let api = api(&format!("{}/", trello.uri()));
    assert_eq!(
        api.board("aBcD1234").await.expect("board"),
        Board {
            name: "Website".into()
        }
    );
    match api.board("gone1234").await {
        Err(TrelloError::Refused {
            status: 404,
            detail,
        }) => {
            assert_eq!(detail, "no board for ***");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let down = TrelloApi::new(
        reqwest::Client::new(),
        "http://127.0.0.1:9",
        Secret::new(KEY),
        Secret::new(TOKEN),
    );
    match down.board("aBcD1234").await {
        Err(e @ TrelloError::Unavailable(_)) => {
            assert!(!e.to_string().contains(TOKEN), "{e}");
        }
        other => panic!("expected unavailable, got {other:?}"),
    }
}

#[test]
fn an_echoed_credential_is_scrubbed_even_across_the_cut() {
    let trello = api(DEFAULT_API_URL);
    // The token starts ten characters before the 200-character cut.
    let page = format!("{}{TOKEN} and {KEY}", "x".repeat(190));
    let detail = trello.scrub(&page);
    assert!(
        detail.starts_with(&format!("{}*** and", "x".repeat(190))),
        "{detail}"
    );
    assert!(!detail.contains("token-01"), "{detail}");
    assert_eq!(trello.scrub(&format!("bad {KEY}")), "bad ***");
}

#[test]
fn rate_limit_codes_are_named() {
    assert_eq!(
        rate_limit_code(r#"{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}"#)
            .as_deref(),
        Some("API_TOKEN_LIMIT_EXCEEDED")
    );
    assert_eq!(rate_limit_code("slow down"), None);
}

#[test]
fn a_token_across_the_cut_is_still_hidden() {
    let token = "ab".repeat(32);
    let trello = TrelloApi::new(
        reqwest::Client::new(),
        DEFAULT_API_URL,
        Secret::new("k"),
        Secret::new(token.clone()),
    );
    let shown = trello.scrub(&format!("{}{token}", "-".repeat(190)));
    assert!(!shown.contains("abab"), "{shown:?}");
}

proptest! {
    #![proptest_config(prop::config())]

    #[test]
    fn error_pages_never_show_the_credentials(
        key in "[a-f0-9]{32}",
        token in "[a-f0-9]{64}",
        before in "[ -/]{0,260}",
        after in "[ -/]{0,40}",
        which in any::<bool>(),
    ) {
        // One client for every case: building one loads the TLS roots.
        static HTTP: std::sync::LazyLock<reqwest::Client> =
            std::sync::LazyLock::new(reqwest::Client::new);
        let trello = TrelloApi::new(
            HTTP.clone(),
            DEFAULT_API_URL,
            Secret::new(key.clone()),
            Secret::new(token.clone()),
        );
        let secret = if which { &key } else { &token };
        let shown = trello.scrub(&format!("{before}{secret}{after}"));
        // Not even a piece of a credential survives, wherever the cut falls.
        for piece in secret.as_bytes().windows(6) {
            let piece = std::str::from_utf8(piece).expect("hex is text");
            prop_assert!(!shown.contains(piece), "{shown:?} shows part of the secret");
        }
    }

    #[test]
    fn rate_limit_codes_come_from_the_body(body in any::<String>()) {
        if let Some(code) = rate_limit_code(&body) {
            prop_assert!(body.contains(&code));
        }
    }
}
