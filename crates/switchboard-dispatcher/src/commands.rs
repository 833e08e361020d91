//! The command language: clap subcommands over the split text. Help text
//! comes from these definitions, so it cannot drift from what parses.

use clap::{CommandFactory as _, FromArgMatches as _, Parser, Subcommand};

use switchboard_core::config::{TrelloActionKind, board_problem, check_lists};

use crate::split::{SplitError, split};

#[derive(Debug, Parser)]
#[command(
    no_binary_name = true,
    disable_version_flag = true,
    about = "Switchboard: deploys, backups and job status from Slack.",
    after_help = "Run `help <command>` or `<command> --help` for its options."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// A parsed, well-formed command.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum Command {
    /// Deploy a client's branch through Jenkins.
    Deploy {
        /// The client to deploy.
        #[arg(long, value_parser = argument)]
        client: String,
        /// The git branch to deploy.
        #[arg(long, value_parser = argument)]
        branch: String,
        /// An issue (SHOP-12) to link the test bench the build reports to.
        #[arg(long, value_parser = argument)]
        issue: Option<String>,
    },
    /// Back up a client's database (runs as a job).
    Backup {
        /// The client whose database to back up.
        #[arg(long, value_parser = argument)]
        client: String,
    },
    /// Restore a client's database from a snapshot (runs as a job).
    Restore {
        /// The client whose database to restore.
        #[arg(long, value_parser = argument)]
        client: String,
        /// The snapshot to restore from.
        #[arg(long, value_parser = argument)]
        from: String,
    },
    /// Show recent jobs: what ran, who started it, how it ended.
    Jobs {
        /// How many jobs to show.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=50))]
        limit: u16,
        #[command(subcommand)]
        action: Option<JobsAction>,
    },
    /// Post a Trello board's activity to this channel, list or stop it.
    Trello {
        #[command(subcommand)]
        action: TrelloAction,
    },
}

/// What `trello` does; each acts on the channel it is typed in.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum TrelloAction {
    /// Post a board's new cards, moves, comments and checklist ticks here.
    Subscribe {
        /// The board's id or short link (trello.com/b/<short link>/…).
        #[arg(value_parser = board)]
        board: String,
        /// Only actions touching these lists, by name or id, comma-separated.
        #[arg(long, value_delimiter = ',', value_parser = list_name)]
        lists: Vec<String>,
        /// Only these actions, comma-separated: createCard, updateCard:idList
        /// (a move), commentCard, updateCheckItemStateOnCard.
        #[arg(long, value_delimiter = ',', value_parser = action_kind)]
        actions: Vec<TrelloActionKind>,
    },
    /// Show the boards that post here and where each came from.
    List,
    /// Stop posting a board here (one added with `subscribe`).
    Unsubscribe {
        /// The board's id or short link, as `list` shows it.
        #[arg(value_parser = board)]
        board: String,
    },
}

/// What `jobs` can do besides listing.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum JobsAction {
    /// Cancel a running job: stops its worker and its Jenkins build.
    Cancel {
        /// The job id, or its first characters as `jobs` shows them.
        #[arg(value_parser = argument)]
        id: String,
    },
}

impl Command {
    /// The name the allowlist and audit log know it by.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Deploy { .. } => "deploy",
            Self::Backup { .. } => "backup",
            Self::Restore { .. } => "restore",
            Self::Jobs { .. } => "jobs",
            Self::Trello { .. } => "trello",
        }
    }
}

fn argument(value: &str) -> Result<String, String> {
    switchboard_core::jobs::check_argument(value).map(|()| value.to_owned())
}

fn board(value: &str) -> Result<String, String> {
    match board_problem(value) {
        Some(problem) => Err(problem),
        None => Ok(value.to_owned()),
    }
}

/// One list name, checked as the config checks `lists`.
fn list_name(value: &str) -> Result<String, String> {
    check_lists(&[value.to_owned()])?
        .pop()
        .ok_or_else(|| "a list name is empty".to_owned())
}

fn action_kind(value: &str) -> Result<TrelloActionKind, String> {
    TrelloActionKind::from_name(value.trim()).ok_or_else(|| {
        let names: Vec<&str> = TrelloActionKind::ALL.iter().map(|k| k.name()).collect();
        format!("the actions are {}", names.join(", "))
    })
}

/// What the text turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parsed {
    Run(Command),
    /// Help was asked for (or nothing was typed); the text to show.
    Help(String),
    /// The text did not parse; what to tell the person.
    Invalid(String),
}

/// Parses command text; `slash` is the slash command's own name, used in
/// help and usage lines.
pub fn parse(slash: &str, text: &str) -> Parsed {
    if let Some(help) = cached_help(slash, text) {
        return Parsed::Help(help);
    }
    let parsed = parse_uncached(slash, text);
    if let Parsed::Help(help) = &parsed {
        remember_help(slash, text, help);
    }
    parsed
}

/// Help is the most asked-for answer and the dearest to build (the whole
/// clap tree, then rendering), yet it depends only on the slash command's
/// name and the text; a warm Lambda answers it from here.
type HelpCache = std::sync::Mutex<std::collections::HashMap<(String, String), String>>;

/// Any text that asks for help is remembered, up to this many, so odd
/// texts cannot grow the cache without bound.
const HELP_CACHE_ENTRIES: usize = 64;

fn help_cache() -> &'static HelpCache {
    static CACHE: std::sync::OnceLock<HelpCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(Default::default)
}

fn cached_help(slash: &str, text: &str) -> Option<String> {
    help_cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&(slash.to_owned(), text.to_owned()))
        .cloned()
}

fn remember_help(slash: &str, text: &str, help: &str) {
    let mut cache = help_cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if cache.len() < HELP_CACHE_ENTRIES {
        cache.insert((slash.to_owned(), text.to_owned()), help.to_owned());
    }
}

fn parse_uncached(slash: &str, text: &str) -> Parsed {
    let words = match split(text) {
        Ok(w) => w,
        Err(e @ (SplitError::Unbalanced(_) | SplitError::TrailingBackslash)) => {
            return Parsed::Invalid(format!("I couldn't read that: {e}."));
        }
    };
    let cmd = Cli::command()
        .name(slash.to_owned())
        .bin_name(slash.to_owned())
        .help_template("{about}\n\n{usage-heading} {usage}\n\n{all-args}{after-help}");
    if words.is_empty() {
        let mut cmd = cmd;
        return Parsed::Help(cmd.render_help().to_string());
    }
    match cmd.try_get_matches_from(&words) {
        Ok(matches) => match Cli::from_arg_matches(&matches) {
            Ok(cli) => Parsed::Run(cli.command),
            Err(e) => Parsed::Invalid(e.render().to_string()),
        },
        Err(e) => {
            use clap::error::ErrorKind::*;
            match e.kind() {
                DisplayHelp | DisplayHelpOnMissingArgumentOrSubcommand | DisplayVersion => {
                    Parsed::Help(e.render().to_string())
                }
                _ => Parsed::Invalid(e.render().to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
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
            (Parsed::Help(h), Expect::Help(frags))
            | (Parsed::Invalid(h), Expect::Invalid(frags)) => {
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
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "help",
        "deploy",
        "backup",
        "restore",
        "jobs",
        "trello",
        "subscribe",
        "unsubscribe",
        "list",
        "--lists",
        "--actions",
        "createCard,commentCard",
        "aBcD1234",
        "deplyo",
        "--client",
        "--branch",
        "--issue",
        "--from",
        "--limit",
        "--help",
        "-h",
        "--version",
        "-V",
        "--",
        "--client=acme",
        "acme",
        "main",
        "SHOP-12",
        "snap-1",
        "0",
        "5",
        "50",
        "51",
        "-1",
        "..",
        "a/../b",
        "'a b'",
        "\"x\"",
        "\\",
        "'",
    ];

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_text_is_help_invalid_or_a_checked_command(
            text in prop_oneof![
                any::<String>(),
                proptest::collection::vec(prop::word(WORDS), 0..7).prop_map(|w| w.join(" ")),
            ],
        ) {
            match parse("/example", &text) {
                Parsed::Help(h) | Parsed::Invalid(h) => prop_assert!(!h.trim().is_empty()),
                Parsed::Run(command) => {
                    let arguments = match &command {
                        Command::Deploy { client, branch, issue } => {
                            let mut a = vec![client, branch];
                            a.extend(issue);
                            a
                        }
                        Command::Backup { client } => vec![client],
                        Command::Restore { client, from } => vec![client, from],
                        Command::Jobs { limit, action } => {
                            prop_assert!((1..=50).contains(limit));
                            match action {
                                Some(JobsAction::Cancel { id }) => vec![id],
                                None => vec![],
                            }
                        }
                        Command::Trello { action } => {
                            match action {
                                TrelloAction::Subscribe { board, lists, .. } => {
                                    prop_assert_eq!(board_problem(board), None);
                                    prop_assert!(lists.iter().all(|l| !l.trim().is_empty()));
                                }
                                TrelloAction::Unsubscribe { board } => {
                                    prop_assert_eq!(board_problem(board), None);
                                }
                                TrelloAction::List => {}
                            }
                            vec![]
                        }
                    };
                    for a in arguments {
                        prop_assert_eq!(switchboard_core::jobs::check_argument(a), Ok(()));
                    }
                }
            }
        }
    }
}
