//! Trello's board actions over REST: `GET /1/boards/{id}/actions`, paged
//! newest first. Only this module knows the wire shape and the credentials;
//! the key and token travel as query parameters, so no URL from here is ever
//! logged or put into an error.

use async_trait::async_trait;
use serde::Deserialize;
use switchboard_core::secrets::Secret;
use switchboard_core::text::{Cut, shorten};

use crate::action::{Action, ActionId, Card, Entry, Named, What};

pub const DEFAULT_API_URL: &str = "https://api.trello.com";
/// The action types the poller asks for; `updateCard:idList` is a move.
pub const FILTER: &str = "createCard,updateCard:idList,commentCard,updateCheckItemStateOnCard";
/// Trello's largest page.
pub const PAGE_LIMIT: usize = 1000;

/// How a request for actions failed. The texts never hold a URL.
#[derive(Debug, Clone, thiserror::Error)]
pub enum TrelloError {
    /// 429: `API_TOKEN_LIMIT_EXCEEDED` or `API_KEY_LIMIT_EXCEEDED`.
    #[error("Trello rate limit ({0})")]
    RateLimited(String),
    /// 5xx, a timeout or a broken connection: worth another try.
    #[error("Trello is unavailable: {0}")]
    Unavailable(String),
    /// Any other status: a bad token, an unknown board. Retrying will not help.
    #[error("Trello refused the request: HTTP {status} {detail}")]
    Refused { status: u16, detail: String },
    #[error("Trello answered something unexpected: {0}")]
    Protocol(String),
}

impl TrelloError {
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            TrelloError::RateLimited(_) | TrelloError::Unavailable(_)
        )
    }
}

/// Where board actions come from: Trello, or a fake in tests.
#[async_trait]
pub trait ActionSource: Send + Sync {
    /// One page of a board's actions of the poller's types, newest first:
    /// those after `since` and, when given, before `before` (both action
    /// ids), at most `limit`. Entries stay raw JSON so that every source
    /// is read by the same parser.
    async fn page(
        &self,
        board: &str,
        since: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<serde_json::Value>, TrelloError>;
}

/// The real Trello API.
pub struct TrelloActions {
    http: reqwest::Client,
    api_url: String,
    key: Secret,
    token: Secret,
}

impl TrelloActions {
    pub fn new(http: reqwest::Client, api_url: &str, key: Secret, token: Secret) -> Self {
        Self {
            http,
            api_url: api_url.trim_end_matches('/').to_owned(),
            key,
            token,
        }
    }

    /// Removes the credentials from text Trello sent back, in case an error
    /// page echoes the request.
    fn scrub(&self, text: &str) -> String {
        // Replaced before the cut, so a cut cannot keep part of a secret.
        let mut out = text.to_owned();
        for secret in [&self.key, &self.token] {
            if !secret.expose().is_empty() {
                out = out.replace(secret.expose(), "***");
            }
        }
        shorten(&out, 200, Cut::Plain).trim().to_owned()
    }
}

/// Describes a transport failure without its URL.
fn transport(e: reqwest::Error) -> TrelloError {
    let e = e.without_url();
    let causes = switchboard_core::slack::api::transport_causes(&e);
    TrelloError::Unavailable(if causes.is_empty() {
        e.to_string()
    } else {
        format!("{e}: {causes}")
    })
}

#[async_trait]
impl ActionSource for TrelloActions {
    async fn page(
        &self,
        board: &str,
        since: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<Vec<serde_json::Value>, TrelloError> {
        let unusable =
            || TrelloError::Protocol(format!("the API URL {:?} is not usable", self.api_url));
        let mut url = url::Url::parse(&self.api_url).map_err(|_| unusable())?;
        url.path_segments_mut()
            .map_err(|_| unusable())?
            .pop_if_empty()
            .extend(["1", "boards", board, "actions"]);
        // Logged before the credentials join the query, so they never are.
        tracing::debug!(board, since, before, "reading Trello actions");
        url.query_pairs_mut()
            .append_pair("filter", FILTER)
            .append_pair("since", since)
            .append_pair("limit", &limit.to_string())
            .append_pair("fields", "id,type,date,data,idMemberCreator")
            .append_pair("memberCreator_fields", "fullName,username");
        if let Some(before) = before {
            url.query_pairs_mut().append_pair("before", before);
        }
        url.query_pairs_mut()
            .append_pair("key", self.key.expose())
            .append_pair("token", self.token.expose());
        let response = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(transport)?;
        match status {
            200..=299 => serde_json::from_str(&body)
                .map_err(|e| TrelloError::Protocol(format!("not a JSON list of actions: {e}"))),
            429 => Err(TrelloError::RateLimited(
                rate_limit_code(&body).unwrap_or_else(|| "HTTP 429".into()),
            )),
            500..=599 => Err(TrelloError::Unavailable(format!("HTTP {status}"))),
            _ => Err(TrelloError::Refused {
                status,
                detail: self.scrub(&body),
            }),
        }
    }
}

/// The limit Trello names in a 429 body, when it names one.
fn rate_limit_code(body: &str) -> Option<String> {
    ["API_TOKEN_LIMIT_EXCEEDED", "API_KEY_LIMIT_EXCEEDED"]
        .into_iter()
        .find(|code| body.contains(code))
        .map(str::to_owned)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireAction {
    id: String,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    data: WireData,
    member_creator: Option<WireMember>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct WireData {
    board: Option<WireNamed>,
    card: Option<WireCard>,
    list: Option<WireNamed>,
    list_before: Option<WireNamed>,
    list_after: Option<WireNamed>,
    text: Option<String>,
    check_item: Option<WireCheckItem>,
}

#[derive(Deserialize)]
struct WireNamed {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireCard {
    #[serde(default)]
    id: String,
    #[serde(default)]
    name: String,
    short_link: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireMember {
    full_name: Option<String>,
    username: Option<String>,
}

#[derive(Deserialize)]
struct WireCheckItem {
    #[serde(default)]
    name: String,
    #[serde(default)]
    state: String,
}

impl From<WireNamed> for Named {
    fn from(w: WireNamed) -> Self {
        Named {
            id: w.id,
            name: w.name,
        }
    }
}

/// Reads one entry of an action list. `None` when it has no usable id:
/// such an entry cannot be ordered or remembered, so it is logged and left.
pub fn parse(raw: serde_json::Value) -> Option<Entry> {
    let id = raw
        .get("id")
        .and_then(|v| v.as_str())
        .and_then(ActionId::parse);
    let Some(id) = id else {
        tracing::warn!("a Trello action without a valid id was left out");
        return None;
    };
    let skip = |why: String| {
        Some(Entry::Skip {
            id: id.clone(),
            why,
        })
    };
    let wire: WireAction = match serde_json::from_value(raw) {
        Ok(w) => w,
        Err(e) => return skip(format!("unreadable action: {e}")),
    };
    if wire.id != id.as_str() {
        return skip("unreadable id".into());
    }
    let d = wire.data;
    let Some(card) = d.card else {
        return skip(format!("{} without a card", wire.kind));
    };
    let what = match wire.kind.as_str() {
        "createCard" => What::Created {
            list: d.list.map(Named::from),
        },
        "updateCard" => match (d.list_before, d.list_after) {
            (Some(from), Some(to)) => What::Moved {
                from: from.into(),
                to: to.into(),
            },
            _ => return skip("an updateCard that is not a move".into()),
        },
        "commentCard" => What::Commented {
            text: d.text.unwrap_or_default(),
            list: d.list.map(Named::from),
        },
        "updateCheckItemStateOnCard" => match d.check_item {
            Some(item) => What::CheckItem {
                item: item.name,
                checked: item.state == "complete",
            },
            None => return skip("a checklist change without its item".into()),
        },
        other => return skip(format!("type {other} is not posted")),
    };
    let who = wire
        .member_creator
        .and_then(|m| {
            [m.full_name, m.username]
                .into_iter()
                .flatten()
                .map(|n| n.trim().to_owned())
                .find(|n| !n.is_empty())
        })
        .unwrap_or_else(|| "Someone".into());
    Some(Entry::Post(Box::new(Action {
        id,
        who,
        board: d.board.map(Named::from).unwrap_or_default(),
        card: Card {
            id: card.id,
            name: card.name,
            short_link: card
                .short_link
                .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric())),
        },
        what,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_echoed_credential_is_scrubbed_even_across_the_cut() {
        let trello = TrelloActions::new(
            reqwest::Client::new(),
            DEFAULT_API_URL,
            Secret::new("key-0123456789abcdef"),
            Secret::new("token-0123456789abcdef0123456789abcdef"),
        );
        // The token starts ten characters before the 200-character cut.
        let page = format!(
            "{}token-0123456789abcdef0123456789abcdef and key-0123456789abcdef",
            "x".repeat(190)
        );
        let detail = trello.scrub(&page);
        assert!(
            detail.starts_with(&format!("{}*** and", "x".repeat(190))),
            "{detail}"
        );
        assert!(!detail.contains("token-01"), "{detail}");
        assert_eq!(trello.scrub("bad key-0123456789abcdef"), "bad ***");
    }

    #[test]
    fn ids_sort_by_time_and_a_time_makes_a_cursor() {
        assert!(ActionId::parse("6634b9a4c0ffee0000000001").is_some());
        assert!(ActionId::parse("6634B9A4C0FFEE0000000001").is_none());
        assert!(ActionId::parse("6634b9a4").is_none());
        let cursor = ActionId::at(1_714_731_428);
        assert_eq!(cursor.as_str(), "6634b9a40000000000000000");
        let later = ActionId::parse("6634b9a40000000000000001").expect("id");
        assert!(cursor < later);
    }

    #[test]
    fn entries_that_cannot_be_posted_are_skipped_not_lost() {
        let skip = |v: serde_json::Value| match parse(v) {
            Some(Entry::Skip { why, .. }) => why,
            other => panic!("expected a skip, got {other:?}"),
        };
        let id = "6634b9a4c0ffee0000000001";
        assert!(
            skip(serde_json::json!({"id": id, "type": "updateCard", "data": {"card": {"id": "c", "name": "n"}, "old": {"name": "m"}}}))
                .contains("not a move")
        );
        assert!(
            skip(serde_json::json!({"id": id, "type": "deleteCard", "data": {"card": {}}}))
                .contains("deleteCard")
        );
        assert!(
            skip(serde_json::json!({"id": id, "type": "createCard", "data": {}}))
                .contains("without a card")
        );
        assert!(skip(serde_json::json!({"id": id, "type": 7})).contains("unreadable"));
        assert_eq!(
            parse(serde_json::json!({"id": "nope", "type": "createCard"})),
            None
        );
        assert_eq!(parse(serde_json::json!([1, 2])), None);
        let renamed: serde_json::Value = serde_json::from_str(include_str!(
            "../tests/fixtures/trello/updateCard-name.json"
        ))
        .expect("fixture");
        assert!(skip(renamed).contains("not a move"));
    }

    #[test]
    fn rate_limit_codes_are_named() {
        assert_eq!(
            rate_limit_code(
                r#"{"error":"API_TOKEN_LIMIT_EXCEEDED","message":"Rate limit exceeded"}"#
            )
            .as_deref(),
            Some("API_TOKEN_LIMIT_EXCEEDED")
        );
        assert_eq!(rate_limit_code("slow down"), None);
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::action::{Entry, What};
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "id",
        "type",
        "data",
        "memberCreator",
        "fullName",
        "username",
        "board",
        "card",
        "list",
        "listBefore",
        "listAfter",
        "text",
        "checkItem",
        "name",
        "state",
        "complete",
        "incomplete",
        "shortLink",
        "createCard",
        "updateCard",
        "commentCard",
        "updateCheckItemStateOnCard",
        "deleteCard",
        "6634b9a4c0ffee0000000001",
        "aBcD1234",
    ];

    /// An action object with the fields Trello sends, each present or not.
    fn action() -> impl Strategy<Value = serde_json::Value> {
        let field = |name: &'static str| {
            proptest::option::of(prop::json(WORDS)).prop_map(move |v| (name, v))
        };
        (
            prop_oneof![
                Just("6634b9a4c0ffee0000000001".to_owned()),
                "[0-9a-fA-F]{23,25}",
                prop::word(WORDS),
            ],
            prop::word(WORDS),
            proptest::collection::vec(
                prop_oneof![
                    field("board"),
                    field("card"),
                    field("list"),
                    field("listBefore"),
                    field("listAfter"),
                    field("text"),
                    field("checkItem"),
                ],
                0..6,
            ),
            proptest::option::of(prop::json(WORDS)),
        )
            .prop_map(|(id, kind, data, member)| {
                let data: serde_json::Map<_, _> = data
                    .into_iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), v?)))
                    .collect();
                serde_json::json!({
                    "id": id, "type": kind, "data": data, "memberCreator": member,
                })
            })
    }

    #[test]
    fn a_token_across_the_cut_is_still_hidden() {
        let token = "ab".repeat(32);
        let trello = TrelloActions::new(
            reqwest::Client::new(),
            "https://api.trello.com",
            Secret::new("k"),
            Secret::new(token.clone()),
        );
        let shown = trello.scrub(&format!("{}{token}", "-".repeat(190)));
        assert!(!shown.contains("abab"), "{shown:?}");
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_action_is_posted_skipped_or_left_out(raw in prop_oneof![prop::json(WORDS), action()]) {
            let id = raw.get("id").and_then(|v| v.as_str()).map(str::to_owned);
            match parse(raw) {
                None => prop_assert!(id.as_deref().and_then(ActionId::parse).is_none()),
                Some(Entry::Skip { id: got, .. }) => prop_assert_eq!(Some(got.as_str()), id.as_deref()),
                Some(Entry::Post(action)) => {
                    prop_assert_eq!(Some(action.id.as_str()), id.as_deref());
                    prop_assert!(!action.who.trim().is_empty());
                    if let Some(link) = &action.card.short_link {
                        prop_assert!(!link.is_empty() && link.bytes().all(|b| b.is_ascii_alphanumeric()));
                    }
                    if let What::Moved { .. } = action.what {
                        prop_assert_eq!(action.what.kind(), switchboard_core::config::TrelloActionKind::MoveCard);
                    }
                }
            }
        }

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
            let trello = TrelloActions::new(
                HTTP.clone(),
                "https://api.trello.com",
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
}
