//! `[commands.*]`: who may run each command.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::Checker;
use crate::ids::{ChannelId, UserId};

/// Who may run a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub public: bool,
    pub allow_users: Vec<UserId>,
    pub allow_channels: Vec<ChannelId>,
    pub deny_users: Vec<UserId>,
    /// Whether the command first asks its caller to confirm (two buttons).
    pub confirm: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccess {
    #[serde(default)]
    public: bool,
    #[serde(default)]
    allow_users: Vec<Spanned<String>>,
    #[serde(default)]
    allow_channels: Vec<Spanned<String>>,
    #[serde(default)]
    deny_users: Vec<Spanned<String>>,
    #[serde(default)]
    confirm: bool,
}

/// The commands the dispatcher knows, so a typo in `[commands.*]` is caught.
pub const KNOWN_COMMANDS: [&str; 6] = ["help", "deploy", "backup", "restore", "jobs", "trello"];
/// The commands that start work, the only ones worth a confirmation.
pub const STARTS_WORK: [&str; 3] = ["deploy", "backup", "restore"];

pub(super) fn check(
    raw: &BTreeMap<String, Spanned<RawAccess>>,
    c: &mut Checker<'_>,
) -> BTreeMap<String, Access> {
    let mut commands = BTreeMap::new();
    for (name, access) in raw {
        let key = format!("commands.{name}");
        if !KNOWN_COMMANDS.contains(&name.as_str()) {
            c.fail(
                access.span(),
                &key,
                format!(
                    "unknown command; known commands: {}",
                    KNOWN_COMMANDS.join(", ")
                ),
            );
        }
        let a = access.get_ref();
        let parsed = Access {
            public: a.public,
            allow_users: c.ids(&a.allow_users, &format!("{key}.allow_users"), UserId::parse),
            allow_channels: c.ids(
                &a.allow_channels,
                &format!("{key}.allow_channels"),
                ChannelId::parse,
            ),
            deny_users: c.ids(&a.deny_users, &format!("{key}.deny_users"), UserId::parse),
            confirm: a.confirm,
        };
        if a.confirm && !STARTS_WORK.contains(&name.as_str()) {
            c.fail(
                access.span(),
                &format!("{key}.confirm"),
                format!(
                    "only commands that start work ask for confirmation: {}",
                    STARTS_WORK.join(", ")
                ),
            );
        }
        if a.public && !(a.allow_users.is_empty() && a.allow_channels.is_empty()) {
            c.fail(
                access.span(),
                &key,
                "public = true lets anyone run it, so its allow_users and allow_channels \
                     would be ignored: remove one or the other",
            );
        }
        if !a.public && a.allow_users.is_empty() && a.allow_channels.is_empty() {
            c.fail(
                access.span(),
                &key,
                "nobody could run it: set public = true, or list allow_users or allow_channels",
            );
        }
        commands.insert(name.clone(), parsed);
    }
    commands
}
