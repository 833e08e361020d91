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
