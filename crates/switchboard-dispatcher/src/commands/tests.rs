use super::*;

#[test]
fn help_from_the_cache_is_the_help_clap_renders() {
    for text in ["", "help", "help deploy", "deploy --help"] {
        let fresh = parse_uncached("/cache-test", text);
        assert!(matches!(fresh, Parsed::Help(_)), "{text:?}");
        assert_eq!(parse("/cache-test", text), fresh, "first, {text:?}");
        assert_eq!(parse("/cache-test", text), fresh, "cached, {text:?}");
    }
    // Other answers are never cached, and a full cache stops growing.
    assert!(matches!(parse("/cache-test", "deplo"), Parsed::Invalid(_)));
    for i in 0..(HELP_CACHE_ENTRIES + 10) {
        parse("/cache-fill", &format!("deploy --help {i}"));
    }
    assert!(help_cache().lock().expect("cache").len() <= HELP_CACHE_ENTRIES);
}

fn run(cmd: Command) -> Parsed {
    Parsed::Run(cmd)
}

/// Checks one row: the text, and either the exact result or fragments
/// that help or error text must contain.
fn check(text: &str, expected: Expect) {
    let got = parse("/example", text);
    match (&got, &expected) {
        (_, Expect::Exactly(want)) => assert_eq!(&got, want, "text {text:?}"),
        (Parsed::Help(h), Expect::Help(frags)) | (Parsed::Invalid(h), Expect::Invalid(frags)) => {
            for f in *frags {
                assert!(h.contains(f), "text {text:?}: {h:?} should contain {f:?}");
            }
        }
        _ => panic!("text {text:?}: got {got:?}, expected {expected:?}"),
    }
}

#[derive(Debug)]
enum Expect {
    Exactly(Parsed),
    Help(&'static [&'static str]),
    Invalid(&'static [&'static str]),
}
use Expect::*;

fn deploy(client: &str, branch: &str) -> Expect {
    Exactly(run(Command::Deploy {
        client: client.into(),
        branch: branch.into(),
        issue: None,
    }))
}

#[test]
fn table() {
    check("deploy --client acme --branch main", deploy("acme", "main"));
    check("deploy --branch main --client acme", deploy("acme", "main"));
    check(
        "deploy --client=acme --branch=feature/x-1",
        deploy("acme", "feature/x-1"),
    );
    check(
        "deploy --client \u{201C}acme\u{201D} --branch 'main'",
        deploy("acme", "main"),
    );
    check(
        "deploy --client клиент --branch main",
        deploy("клиент", "main"),
    );
    check(
        "backup --client acme",
        Exactly(run(Command::Backup {
            client: "acme".into(),
        })),
    );
    check(
        "restore --from snap-1 --client acme",
        Exactly(run(Command::Restore {
            client: "acme".into(),
            from: "snap-1".into(),
        })),
    );
    check(
        "deploy --client acme --branch main --issue SHOP-12",
        Exactly(run(Command::Deploy {
            client: "acme".into(),
            branch: "main".into(),
            issue: Some("SHOP-12".into()),
        })),
    );
    check(
        "jobs",
        Exactly(run(Command::Jobs {
            limit: 10,
            action: None,
        })),
    );
    check(
        "jobs --limit 3",
        Exactly(run(Command::Jobs {
            limit: 3,
            action: None,
        })),
    );
    check(
        "jobs cancel 0123abcd",
        Exactly(run(Command::Jobs {
            limit: 10,
            action: Some(JobsAction::Cancel {
                id: "0123abcd".into(),
            }),
        })),
    );
    check("jobs cancel", Invalid(&["<ID>"]));
    check(
        "trello subscribe aBcD1234",
        Exactly(run(Command::Trello {
            action: TrelloAction::Subscribe {
                board: "aBcD1234".into(),
                lists: vec![],
                actions: vec![],
            },
        })),
    );
    check(
        "trello subscribe aBcD1234 --lists 'To Do, Done' --actions createCard,updateCard:idList --actions createCard",
        Exactly(run(Command::Trello {
            action: TrelloAction::Subscribe {
                board: "aBcD1234".into(),
                lists: vec!["To Do".into(), "Done".into()],
                actions: vec![
                    TrelloActionKind::CreateCard,
                    TrelloActionKind::MoveCard,
                    TrelloActionKind::CreateCard,
                ],
            },
        })),
    );
    check(
        "trello subscribe --lists=Doing aBcD1234",
        Exactly(run(Command::Trello {
            action: TrelloAction::Subscribe {
                board: "aBcD1234".into(),
                lists: vec!["Doing".into()],
                actions: vec![],
            },
        })),
    );
    check(
        "trello list",
        Exactly(run(Command::Trello {
            action: TrelloAction::List,
        })),
    );
    check(
        "trello unsubscribe aBcD1234",
        Exactly(run(Command::Trello {
            action: TrelloAction::Unsubscribe {
                board: "aBcD1234".into(),
            },
        })),
    );
    check("trello", Help(&["subscribe", "list", "unsubscribe"]));
    check(
        "trello subscribe --help",
        Help(&["--lists", "--actions", "<BOARD>"]),
    );
    check("trello subscribe", Invalid(&["<BOARD>"]));
    check(
        "trello subscribe https://trello.com/b/aBcD1234/site",
        Invalid(&["short link"]),
    );
    check(
        "trello subscribe aBcD1234 --actions deleteCard",
        Invalid(&["deleteCard", "createCard, updateCard:idList"]),
    );
    check(
        "trello subscribe aBcD1234 --lists 'To Do,,Done'",
        Invalid(&["a list name is empty"]),
    );
    check("trello unsubscribe '$(id)'", Invalid(&["short link"]));
    check("trello frob", Invalid(&["unrecognized subcommand", "frob"]));

    check(
        "",
        Help(&[
            "Usage: /example",
            "deploy",
            "backup",
            "restore",
            "jobs",
            "trello",
        ]),
    );
    check("help", Help(&["Usage: /example", "deploy"]));
    check(
        "help deploy",
        Help(&["Usage: /example deploy", "--client", "--branch"]),
    );
    check(
        "deploy --help",
        Help(&["Usage: /example deploy", "--client"]),
    );
    check("restore -h", Help(&["--from"]));

    check(
        "deplyo --client acme",
        Invalid(&["unrecognized subcommand", "deplyo", "deploy"]),
    );
    check("deploy --client acme", Invalid(&["--branch", "required"]));
    check(
        "deploy --client acme --branch main --force",
        Invalid(&["--force"]),
    );
    check("deploy --client 'a b' --branch main", Invalid(&["a b"]));
    check("deploy --client acme --branch '$(id)'", Invalid(&["$(id)"]));
    check("deploy --client -x --branch main", Invalid(&["--client"]));
    check("jobs --limit 0", Invalid(&["--limit"]));
    check("jobs --limit lots", Invalid(&["lots"]));
    check(
        "deploy --client \"acme",
        Invalid(&["unbalanced double quote"]),
    );
    check(
        "frobnicate",
        Invalid(&["unrecognized subcommand", "frobnicate"]),
    );
}

#[test]
fn every_command_is_known_to_the_config_checker() {
    let names = [
        Command::Deploy {
            client: String::new(),
            branch: String::new(),
            issue: None,
        }
        .name(),
        Command::Backup {
            client: String::new(),
        }
        .name(),
        Command::Restore {
            client: String::new(),
            from: String::new(),
        }
        .name(),
        Command::Jobs {
            limit: 1,
            action: None,
        }
        .name(),
        Command::Trello {
            action: TrelloAction::List,
        }
        .name(),
    ];
    let mut known: Vec<&str> = switchboard_core::config::KNOWN_COMMANDS
        .iter()
        .copied()
        .filter(|c| *c != "help")
        .collect();
    known.sort_unstable();
    let mut names = names.to_vec();
    names.sort_unstable();
    assert_eq!(names, known);
    let subcommands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_owned())
        .collect();
    assert_eq!(subcommands.len(), names.len(), "{subcommands:?}");
}

#[test]
fn help_uses_the_slash_commands_own_name() {
    match parse("/ops", "help") {
        Parsed::Help(h) => assert!(h.contains("Usage: /ops"), "{h}"),
        other => panic!("{other:?}"),
    }
}
