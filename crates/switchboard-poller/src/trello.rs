//! What Trello's board actions say. Only this module knows the actions'
//! wire shape; the pages are read through `core::trello::actions`, whose
//! requests never log a URL or put one into an error (the key and token
//! are query parameters).

use serde::Deserialize;

use crate::action::{Action, ActionId, Card, Entry, Named, What};

/// Trello's largest page.
pub const PAGE_LIMIT: usize = 1000;

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
mod tests;

#[cfg(test)]
mod prop_tests;
