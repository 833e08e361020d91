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
mod tests {
    use super::*;

    fn u(s: &str) -> UserId {
        UserId::parse(s).expect("user")
    }
    fn c(s: &str) -> ChannelId {
        ChannelId::parse(s).expect("channel")
    }

    #[test]
    fn table() {
        let users = |l: &[&str]| l.iter().map(|s| u(s)).collect::<Vec<_>>();
        let chans = |l: &[&str]| l.iter().map(|s| c(s)).collect::<Vec<_>>();
        let public = Access {
            public: true,
            ..Access::default()
        };
        let public_but_bob = Access {
            public: true,
            deny_users: users(&["UBOB"]),
            ..Access::default()
        };
        let only_ann = Access {
            allow_users: users(&["UANN"]),
            ..Access::default()
        };
        let only_ops = Access {
            allow_channels: chans(&["COPS"]),
            ..Access::default()
        };
        let ann_in_ops = Access {
            allow_users: users(&["UANN"]),
            allow_channels: chans(&["COPS"]),
            ..Access::default()
        };
        let ann_denied = Access {
            allow_users: users(&["UANN"]),
            deny_users: users(&["UANN"]),
            ..Access::default()
        };
        let empty = Access::default();
        use Decision::*;
        use Refusal::*;
        let check = |cmd: &str, a: Option<&Access>, user: &str, chan: &str, want: Decision| {
            assert_eq!(
                decide(cmd, a, &u(user), &c(chan)),
                want,
                "{cmd} {a:?} {user} {chan}"
            );
        };
        check("help", None, "UANN", "CGEN", Allowed);
        check("deploy", None, "UANN", "CGEN", Denied(NoEntry));
        check("deploy", Some(&empty), "UANN", "CGEN", Denied(NoEntry));
        check("jobs", Some(&public), "UANY", "CANY", Allowed);
        check(
            "jobs",
            Some(&public_but_bob),
            "UBOB",
            "CANY",
            Denied(DeniedUser),
        );
        check("deploy", Some(&only_ann), "UANN", "CANY", Allowed);
        check(
            "deploy",
            Some(&only_ann),
            "UBOB",
            "CANY",
            Denied(UserNotListed),
        );
        check("deploy", Some(&only_ops), "UBOB", "COPS", Allowed);
        check(
            "deploy",
            Some(&only_ops),
            "UBOB",
            "CGEN",
            Denied(ChannelNotListed),
        );
        check("deploy", Some(&ann_in_ops), "UANN", "COPS", Allowed);
        check(
            "deploy",
            Some(&ann_in_ops),
            "UANN",
            "CGEN",
            Denied(ChannelNotListed),
        );
        check(
            "deploy",
            Some(&ann_in_ops),
            "UBOB",
            "COPS",
            Denied(UserNotListed),
        );
        check(
            "deploy",
            Some(&ann_denied),
            "UANN",
            "CGEN",
            Denied(DeniedUser),
        );
    }
}
