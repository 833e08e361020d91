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
mod tests;

#[cfg(test)]
mod prop_tests;
