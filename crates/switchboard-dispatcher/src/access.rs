//! The per-command allowlist decision.

use switchboard_core::config::Access;
use switchboard_core::ids::{ChannelId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allowed,
    Denied(Refusal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The config has no entry for the command: closed by default.
    NoEntry,
    DeniedUser,
    UserNotListed,
    ChannelNotListed,
}

impl Refusal {
    /// What the person is told; it says what to ask for, not the rules.
    pub fn explain(self, command: &str) -> String {
        match self {
            Self::NoEntry => format!(
                "`{command}` is not enabled for anyone yet. Ask an admin to add it to the allowlist."
            ),
            Self::DeniedUser | Self::UserNotListed => {
                format!(
                    "You are not allowed to run `{command}`. Ask an admin to add you to its allowlist."
                )
            }
            Self::ChannelNotListed => {
                format!(
                    "`{command}` can't be run in this channel. Try it in a channel on its allowlist."
                )
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::NoEntry => "no_entry",
            Self::DeniedUser => "denied_user",
            Self::UserNotListed => "user_not_listed",
            Self::ChannelNotListed => "channel_not_listed",
        }
    }
}

/// `help` is always public; anything else follows its entry.
pub fn decide(
    command: &str,
    access: Option<&Access>,
    user: &UserId,
    channel: &ChannelId,
) -> Decision {
    if command == "help" {
        return Decision::Allowed;
    }
    let Some(a) = access else {
        return Decision::Denied(Refusal::NoEntry);
    };
    if a.deny_users.contains(user) {
        return Decision::Denied(Refusal::DeniedUser);
    }
    if a.public {
        return Decision::Allowed;
    }
    if a.allow_users.is_empty() && a.allow_channels.is_empty() {
        return Decision::Denied(Refusal::NoEntry);
    }
    if !a.allow_users.is_empty() && !a.allow_users.contains(user) {
        return Decision::Denied(Refusal::UserNotListed);
    }
    if !a.allow_channels.is_empty() && !a.allow_channels.contains(channel) {
        return Decision::Denied(Refusal::ChannelNotListed);
    }
    Decision::Allowed
}

#[cfg(test)]
mod tests;
