//! What the poller keeps in the state store, per subscription (board and
//! channel): the cursor (the newest action id read and settled), a claim per
//! action (pending, then posted) and a claim per summary. Only this module
//! knows the keys and the claim values.

use serde::{Deserialize, Serialize};
use switchboard_core::config::Subscription;
use switchboard_core::state::Key;

use crate::action::ActionId;

/// Claims outlive any run and any retry of one by days; after that the
/// cursor alone keeps old actions from being read again.
pub const CLAIM_SECS: i64 = 3 * 86_400;

/// The partition holding one subscription's state.
pub fn partition(sub: &Subscription) -> String {
    format!("trello#{}#{}", sub.board, sub.channel)
}

pub fn cursor_key(sub: &Subscription) -> Key {
    Key::new(partition(sub), "cursor")
}

pub fn action_key(pk: &str, id: &ActionId) -> Key {
    Key::new(pk, format!("a#{id}"))
}

/// A summary is claimed by the first action of its burst.
pub fn summary_key(pk: &str, first: &ActionId) -> Key {
    Key::new(pk, format!("s#{first}"))
}

/// A claim's value: pending while a run posts (with the thread it posts
/// into, so a later run knows where to look), posted once Slack took it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "lowercase")]
pub enum Claim {
    Pending {
        /// When the claim was taken, epoch seconds.
        at: i64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thread: Option<String>,
        /// The run's owner token: two runs claiming in the same second
        /// write different values, so a claim whose answer was lost is
        /// read back as ours or theirs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        owner: Option<String>,
    },
    Posted {
        #[serde(default)]
        ts: String,
    },
}

impl Claim {
    /// The stored text; compare-and-set compares it byte for byte, so the
    /// text written is the one kept.
    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored claim; an unreadable one is treated as a pending claim
    /// from long ago, so it is checked against Slack before anything posts.
    pub fn decode(text: &str) -> Self {
        serde_json::from_str(text).unwrap_or(Claim::Pending {
            at: 0,
            thread: None,
            owner: None,
        })
    }
}

#[cfg(test)]
mod tests;
