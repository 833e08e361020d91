//! Trello board actions as the poller sees them: who did what to which
//! card. Only `trello.rs` knows the wire shape; this is the domain.

use switchboard_core::config::{Subscription, TrelloActionKind};

/// A Trello action id: 24 lowercase hex digits whose first eight are the
/// creation time in epoch seconds, so ids sort by time as text.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ActionId(String);

impl ActionId {
    pub fn parse(text: &str) -> Option<Self> {
        let ok = text.len() == 24
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        ok.then(|| Self(text.to_owned()))
    }

    /// The smallest id created at `secs`: a cursor meaning "from then on".
    pub fn at(secs: i64) -> Self {
        let secs = u32::try_from(secs.max(0)).unwrap_or(u32::MAX);
        Self(format!("{secs:08x}0000000000000000"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ActionId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Something with an id and a name: a board, a list.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Named {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub id: String,
    pub name: String,
    /// The short link of `https://trello.com/c/{short_link}`, when given.
    pub short_link: Option<String>,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What {
    Created { list: Option<Named> },
    Moved { from: Named, to: Named },
    Commented { text: String, list: Option<Named> },
    CheckItem { item: String, checked: bool },
}

impl What {
    pub fn kind(&self) -> TrelloActionKind {
        match self {
            What::Created { .. } => TrelloActionKind::CreateCard,
            What::Moved { .. } => TrelloActionKind::MoveCard,
            What::Commented { .. } => TrelloActionKind::CommentCard,
            What::CheckItem { .. } => TrelloActionKind::CheckItem,
        }
    }

    /// Every list the action names, for list filters.
    fn lists(&self) -> Vec<&Named> {
        match self {
            What::Created { list } | What::Commented { list, .. } => list.iter().collect(),
            What::Moved { from, to } => vec![from, to],
            What::CheckItem { .. } => Vec::new(),
        }
    }
}

/// One action worth a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    pub id: ActionId,
    /// The member's full name, else their username.
    pub who: String,
    pub board: Named,
    pub card: Card,
    pub what: What,
}

impl Action {
    /// Whether a subscription's filters let this action through. With a
    /// list filter, an action that names no list (a checklist item) is
    /// left out, since it cannot be shown to concern those lists.
    pub fn wanted_by(&self, sub: &Subscription) -> bool {
        if !sub.actions.is_empty() && !sub.actions.contains(&self.what.kind()) {
            return false;
        }
        sub.lists.is_empty()
            || self.what.lists().iter().any(|l| {
                sub.lists
                    .iter()
                    .any(|want| want == &l.id || want.eq_ignore_ascii_case(&l.name))
            })
    }
}

/// What the poller makes of one entry of a board's action list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An action to post.
    Post(Box<Action>),
    /// An action the poller does not post (another `updateCard` change,
    /// an unknown type, one it cannot read); it still counts as read.
    Skip { id: ActionId, why: String },
}

impl Entry {
    pub fn id(&self) -> &ActionId {
        match self {
            Entry::Post(a) => &a.id,
            Entry::Skip { id, .. } => id,
        }
    }
}

#[cfg(test)]
mod prop_tests;
