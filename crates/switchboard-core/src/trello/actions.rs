//! A board's actions, a page at a time (`GET /1/boards/{id}/actions`,
//! newest first): the port the poller reads boards through, and Trello's
//! side of it. What an action says is the poller's to read; here they stay
//! raw JSON.

use async_trait::async_trait;

use super::{TrelloApi, TrelloError};

/// The action types the poller asks for; `updateCard:idList` is a move.
pub const FILTER: &str = "createCard,updateCard:idList,commentCard,updateCheckItemStateOnCard";

/// Which page of a board's actions to read: newest first, those after
/// `since` and, when given, before `before` (both action ids), at most
/// `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    pub board: &'a str,
    pub since: &'a str,
    pub before: Option<&'a str>,
    pub limit: usize,
}

/// Where board actions come from: Trello, or a fake in tests.
#[async_trait]
pub trait ActionSource: Send + Sync {
    /// One page of actions of the poller's types. Entries stay raw JSON
    /// so that every source is read by the same parser.
    async fn page(&self, page: Page<'_>) -> Result<Vec<serde_json::Value>, TrelloError>;
}

#[async_trait]
impl ActionSource for TrelloApi {
    async fn page(&self, page: Page<'_>) -> Result<Vec<serde_json::Value>, TrelloError> {
        let Page {
            board,
            since,
            before,
            limit,
        } = page;
        // Logged here because the URL, which holds the credentials, never is.
        tracing::debug!(board, since, before, "reading Trello actions");
        let limit = limit.to_string();
        let mut query = vec![
            ("filter", FILTER),
            ("since", since),
            ("limit", limit.as_str()),
            ("fields", "id,type,date,data,idMemberCreator"),
            ("memberCreator_fields", "fullName,username"),
        ];
        if let Some(before) = before {
            query.push(("before", before));
        }
        let body = self.get(&["1", "boards", board, "actions"], &query).await?;
        serde_json::from_str(&body)
            .map_err(|e| TrelloError::Protocol(format!("not a JSON list of actions: {e}")))
    }
}
