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
