//! `switchboard.toml`: one typed tree, read once, checked with errors that
//! name the key and the line. Each section lives in its own file with its
//! raw (serde) shape, its typed shape and its check.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

mod bridge;
mod commands;
mod jenkins;
mod jobs;
mod poller;
mod scanner;
mod slack;
mod state;
mod trackers;
mod unfurl;

pub use bridge::{BridgeConfig, BridgeProject, GITHUB_ASSOCIATIONS};
pub use commands::{Access, KNOWN_COMMANDS};
pub use jenkins::JenkinsConfig;
pub use jobs::{JOB_BASE_ENV, JobTemplate, KNOWN_JOBS, is_credential_var};
pub use poller::{
    MAX_LIST_NAME, PollerConfig, Subscription, TrelloActionKind, board_problem, check_lists,
    unique_actions,
};
pub use scanner::{ScanProject, ScannerConfig};
pub use slack::{DEFAULT_SLACK_API_URL, SlackConfig};
pub use state::StateConfig;
pub use trackers::{TracMode, TrackerConfig, TrackerKind};
pub use unfurl::UnfurlConfig;

/// A problem with a configuration file, phrased for the person editing it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// The whole configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub slack: SlackConfig,
    pub jenkins: Option<JenkinsConfig>,
    pub clients: Vec<String>,
    pub jobs: BTreeMap<String, JobTemplate>,
    pub commands: BTreeMap<String, Access>,
    pub state: StateConfig,
    pub trackers: Vec<TrackerConfig>,
    pub unfurl: UnfurlConfig,
    pub bridge: BridgeConfig,
    pub scanner: ScannerConfig,
    pub poller: PollerConfig,
    /// The text it was parsed from, so it can be pushed and compared.
    pub source: String,
}

// The file's shape. Spans are kept where a later check may need to point at
// a line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    slack: slack::RawSlack,
    jenkins: Option<jenkins::RawJenkins>,
    #[serde(default)]
    clients: Vec<Spanned<String>>,
    #[serde(default)]
    jobs: BTreeMap<String, Spanned<jobs::RawJob>>,
    #[serde(default)]
    commands: BTreeMap<String, Spanned<commands::RawAccess>>,
    #[serde(default)]
    state: state::RawState,
    #[serde(default)]
    trackers: Vec<Spanned<trackers::RawTracker>>,
    #[serde(default)]
    unfurl: unfurl::RawUnfurl,
    #[serde(default)]
    bridge: bridge::RawBridge,
    #[serde(default)]
    scanner: scanner::RawScanner,
    #[serde(default)]
    poller: poller::RawPoller,
}

/// No job or build is waited for longer than a day.
const MAX_TIMEOUT_MINUTES: u64 = 24 * 60;

fn default_timeout_minutes() -> u64 {
    60
}

struct Checker<'a> {
    origin: &'a str,
    text: &'a str,
    problems: Vec<String>,
}

impl Checker<'_> {
    fn line(&self, span: std::ops::Range<usize>) -> usize {
        let end = span.start.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    fn fail(&mut self, span: std::ops::Range<usize>, key: &str, message: impl std::fmt::Display) {
        let line = self.line(span);
        self.problems.push(format!("line {line}: {key}: {message}"));
    }

    fn url(&mut self, value: &Spanned<String>, key: &str) -> String {
        let v = value.get_ref().trim_end_matches('/').to_owned();
        if !(v.starts_with("https://") || v.starts_with("http://")) {
            self.fail(value.span(), key, format!("{v:?} is not an http(s) URL"));
        }
        v
    }

    fn ids<T>(
        &mut self,
        values: &[Spanned<String>],
        key: &str,
        parse: impl Fn(&str) -> Result<T, crate::ids::IdError>,
    ) -> Vec<T> {
        let mut out = Vec::new();
        for v in values {
            match parse(v.get_ref()) {
                Ok(id) => out.push(id),
                Err(e) => self.fail(v.span(), key, e),
            }
        }
        out
    }
}

impl Config {
    /// Reads and checks a file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and checks configuration text; `origin` names it in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| ConfigError::Invalid {
            origin: origin.to_owned(),
            message: describe_toml_error(&e, text),
        })?;
        let mut c = Checker {
            origin,
            text,
            problems: Vec::new(),
        };

        let slack = slack::check(&raw.slack, &mut c);
        let jenkins = raw.jenkins.as_ref().map(|j| jenkins::check(j, &mut c));
        let clients = jobs::check_clients(&raw.clients, &mut c);
        let jobs = jobs::check(&raw.jobs, &mut c);
        let commands = commands::check(&raw.commands, &mut c);
        let trackers = trackers::check(&raw.trackers, &mut c);
        let unfurl = unfurl::check(&raw.unfurl);
        let bridge = bridge::check(&raw.bridge, &mut c, &trackers);
        let scanner = scanner::check(&raw.scanner, &mut c, &trackers);
        let poller = poller::check(&raw.poller, &mut c, &trackers);

        if c.problems.is_empty() {
            Ok(Self {
                slack,
                jenkins,
                clients,
                jobs,
                commands,
                state: state::check(raw.state),
                trackers,
                unfurl,
                bridge,
                scanner,
                poller,
                source: text.to_owned(),
            })
        } else {
            Err(ConfigError::Invalid {
                origin: c.origin.to_owned(),
                message: c.problems.join("\n"),
            })
        }
    }

    /// The access rule for a command; `None` means it has no entry.
    pub fn access(&self, command: &str) -> Option<&Access> {
        self.commands.get(command)
    }
}

/// Turns toml's multi-line report into one line that names the line, the key
/// and the problem.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let message = e.message().trim().to_owned();
    match e.span() {
        Some(span) => {
            let start = span.start.min(text.len());
            let line = text.as_bytes()[..start]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            let snippet: String = text[start..]
                .lines()
                .next()
                .unwrap_or("")
                .chars()
                .take(60)
                .collect();
            format!("line {line}: {message} (at `{}`)", snippet.trim())
        }
        None => message,
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
