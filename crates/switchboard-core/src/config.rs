//! `switchboard.toml`: one typed tree, read once, checked with errors that
//! name the key and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::ids::{ChannelId, TeamId, UserId};

mod scanner;

pub use scanner::{ScanProject, ScannerConfig};

pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";

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

#[derive(Debug, Clone)]
pub struct SlackConfig {
    pub api_url: String,
    pub command: String,
    /// The workspaces whose requests are served; empty serves any, so a
    /// Slack Connect channel also admits other workspaces' members.
    pub team_ids: Vec<TeamId>,
}

impl SlackConfig {
    /// Whether a request from this workspace is served.
    pub fn admits_team(&self, team: Option<&TeamId>) -> bool {
        self.team_ids.is_empty() || team.is_some_and(|t| self.team_ids.contains(t))
    }
}

#[derive(Debug, Clone)]
pub struct JenkinsConfig {
    pub url: String,
    pub job: String,
    pub client_param: String,
    pub branch_param: String,
    pub poll_seconds: u64,
    pub timeout_minutes: u64,
}

/// A command line the worker runs for a long job; `{client}`, `{from}`,
/// `{user}` and `{job_id}` in any argument are replaced, never passed
/// through a shell.
#[derive(Debug, Clone)]
pub struct JobTemplate {
    pub command: Vec<String>,
    pub timeout_minutes: u64,
    /// Environment variables passed to the job besides `PATH`, `HOME` and
    /// `LANG`; nothing else of Switchboard's environment reaches it.
    pub env: Vec<String>,
}

/// What a job always gets of its parent's environment.
pub const JOB_BASE_ENV: [&str; 3] = ["PATH", "HOME", "LANG"];

/// Whether an environment variable holds one of Switchboard's own
/// credentials, which no job may be given.
pub fn is_credential_var(name: &str) -> bool {
    name.starts_with("SLACK_")
        || name.starts_with("TRACKER_")
        || name.starts_with("AWS_")
        || name.starts_with("JENKINS_")
        || name.starts_with("SWITCHBOARD_")
        || name.ends_with("_WEBHOOK_SECRET")
}

/// Who may run a command.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Access {
    pub public: bool,
    pub allow_users: Vec<UserId>,
    pub allow_channels: Vec<ChannelId>,
    pub deny_users: Vec<UserId>,
}

#[derive(Debug, Clone)]
pub struct StateConfig {
    pub path: PathBuf,
}

/// The kinds of tracker Switchboard can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackerKind {
    Trac,
    Codebase,
    Trello,
    Jira,
    Yandex,
}

/// How to read a Trac: the XML-RPC plugin over JSON or XML, or the export
/// formats every stock Trac serves (CSV and RSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TracMode {
    Jsonrpc,
    Xmlrpc,
    Export,
}

/// One tracker. Credentials come from `TRACKER_<NAME>_USER` and
/// `TRACKER_<NAME>_TOKEN` (environment or the AWS secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerConfig {
    pub name: String,
    pub kind: TrackerKind,
    /// Where people's links point (the web UI's base URL).
    pub url: String,
    /// Where the API lives, when it is not under `url`.
    pub api_url: Option<String>,
    pub trac_mode: TracMode,
    /// Yandex Tracker's organisation id (`X-Org-ID`).
    pub org_id: Option<String>,
}

/// Pull-request events that move tracker issues.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BridgeConfig {
    /// Target status per event: approved, merged, declined, changes_requested.
    pub approved: String,
    pub merged: String,
    pub declined: String,
    pub changes_requested: String,
    /// The issue field a test-bench link goes into (`/webhooks/bench`).
    pub bench_field: Option<String>,
    /// Tell the project's channel when no transition reaches the target.
    pub notify_when_stuck: bool,
    /// The GitHub `author_association` values whose reviews count.
    pub review_associations: Vec<String>,
    pub projects: Vec<BridgeProject>,
}

impl BridgeConfig {
    /// The project an issue key (`SHOP-12`) belongs to, if configured.
    pub fn project_for(&self, key: &str) -> Option<&BridgeProject> {
        let (prefix, number) = key.split_once('-')?;
        if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        self.projects.iter().find(|p| p.key == prefix)
    }
}

/// One issue project/queue the bridge acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeProject {
    /// The key prefix, `SHOP` in `SHOP-12`.
    pub key: String,
    /// The configured tracker (Jira or Yandex Tracker) holding its issues.
    pub tracker: String,
    /// Where moves are announced.
    pub channel: Option<ChannelId>,
    /// The repositories (`owner/name`) whose pull requests may move its issues.
    pub repos: Vec<String>,
}

impl BridgeProject {
    /// Whether a repository's `full_name` is listed; GitHub and Bitbucket
    /// treat names case-insensitively.
    pub fn allows_repo(&self, full_name: &str) -> bool {
        self.repos.iter().any(|r| r.eq_ignore_ascii_case(full_name))
    }
}

/// Every `author_association` GitHub documents; a review from one of these
/// can be made to count with `bridge.review_associations`.
pub const GITHUB_ASSOCIATIONS: [&str; 8] = [
    "OWNER",
    "MEMBER",
    "COLLABORATOR",
    "CONTRIBUTOR",
    "FIRST_TIME_CONTRIBUTOR",
    "FIRST_TIMER",
    "MANNEQUIN",
    "NONE",
];

/// The associations that have write access to a repository.
const DEFAULT_REVIEW_ASSOCIATIONS: [&str; 3] = ["OWNER", "MEMBER", "COLLABORATOR"];

/// Limits for link unfurling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnfurlConfig {
    /// The same link in the same channel is not unfurled again this soon.
    pub repeat_minutes: u64,
    /// A message with more links than this unfurls none.
    pub max_links: usize,
    /// How long fetching may take before Slack is answered regardless
    /// (at most 2000, leaving time for the claims and `chat.unfurl`).
    pub budget_ms: u64,
}

/// The Trello poller: which boards feed which channels, and how a run
/// behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PollerConfig {
    /// More actions than this for one channel in one run become one summary
    /// message with the details in its thread.
    pub summary_threshold: usize,
    /// How often `serve` and `poll` run a pass (on AWS the schedule in
    /// template.yaml decides).
    pub every_seconds: u64,
    /// The pause between two posts to one channel: Slack allows about one
    /// message a second per channel.
    pub post_interval_ms: u64,
    /// A pending claim older than this belongs to a run that died, and the
    /// next run settles it (looks for the post in Slack, then posts). It
    /// must outlast any one post, Slack's retries included; a killed run's
    /// actions wait this long.
    pub claim_stale_after_seconds: u64,
    pub subscriptions: Vec<Subscription>,
}

impl Default for PollerConfig {
    fn default() -> Self {
        Self {
            summary_threshold: 20,
            every_seconds: 60,
            post_interval_ms: 1000,
            claim_stale_after_seconds: 300,
            subscriptions: Vec::new(),
        }
    }
}

/// One Trello board whose actions are posted to one channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    /// The board's id or short link.
    pub board: String,
    pub channel: ChannelId,
    /// The `[[trackers]]` entry (kind `trello`) whose API and credentials
    /// are used.
    pub tracker: String,
    /// Which actions to post; empty means all four.
    pub actions: Vec<TrelloActionKind>,
    /// Only actions touching these lists (by name or id); empty means any.
    pub lists: Vec<String>,
}

/// The Trello actions the poller posts, named as Trello's `filter` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub enum TrelloActionKind {
    #[serde(rename = "createCard")]
    CreateCard,
    /// A card moved between lists.
    #[serde(rename = "updateCard:idList")]
    MoveCard,
    #[serde(rename = "commentCard")]
    CommentCard,
    #[serde(rename = "updateCheckItemStateOnCard")]
    CheckItem,
}

// The file's shape. Spans are kept where a later check may need to point at
// a line.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    slack: RawSlack,
    jenkins: Option<RawJenkins>,
    #[serde(default)]
    clients: Vec<Spanned<String>>,
    #[serde(default)]
    jobs: BTreeMap<String, Spanned<RawJob>>,
    #[serde(default)]
    commands: BTreeMap<String, Spanned<RawAccess>>,
    #[serde(default)]
    state: RawState,
    #[serde(default)]
    trackers: Vec<Spanned<RawTracker>>,
    #[serde(default)]
    unfurl: RawUnfurl,
    #[serde(default)]
    bridge: RawBridge,
    #[serde(default)]
    scanner: scanner::RawScanner,
    #[serde(default)]
    poller: RawPoller,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPoller {
    summary_threshold: Option<usize>,
    every_seconds: Option<u64>,
    post_interval_ms: Option<u64>,
    claim_stale_after_seconds: Option<u64>,
    #[serde(default)]
    subscriptions: Vec<Spanned<RawSubscription>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSubscription {
    board: String,
    channel: String,
    tracker: Option<String>,
    #[serde(default)]
    actions: Vec<TrelloActionKind>,
    #[serde(default)]
    lists: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBridge {
    approved: Option<String>,
    merged: Option<String>,
    declined: Option<String>,
    changes_requested: Option<String>,
    bench_field: Option<String>,
    #[serde(default)]
    notify_when_stuck: bool,
    review_associations: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    projects: Vec<Spanned<RawBridgeProject>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBridgeProject {
    key: String,
    tracker: String,
    channel: Option<String>,
    repos: Option<Vec<String>>,
}

/// Whether a repository name has the `owner/name` shape both providers use.
fn is_repo_name(name: &str) -> bool {
    let ok = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || matches!(ch, '-' | '_' | '.'))
    };
    name.split_once('/')
        .is_some_and(|(owner, repo)| ok(owner) && ok(repo))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTracker {
    name: String,
    kind: TrackerKind,
    url: Spanned<String>,
    api_url: Option<Spanned<String>>,
    #[serde(default = "default_trac_mode")]
    trac_mode: TracMode,
    org_id: Option<String>,
}

fn default_trac_mode() -> TracMode {
    TracMode::Jsonrpc
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawUnfurl {
    repeat_minutes: Option<u64>,
    max_links: Option<usize>,
    budget_ms: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawSlack {
    api_url: Option<Spanned<String>>,
    command: Option<Spanned<String>>,
    #[serde(default)]
    team_ids: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJenkins {
    url: Spanned<String>,
    job: Spanned<String>,
    #[serde(default = "default_client_param")]
    client_param: String,
    #[serde(default = "default_branch_param")]
    branch_param: String,
    #[serde(default = "default_poll_seconds")]
    poll_seconds: u64,
    #[serde(default = "default_timeout_minutes")]
    timeout_minutes: u64,
}

fn default_client_param() -> String {
    "CLIENT".into()
}
fn default_branch_param() -> String {
    "BRANCH".into()
}
fn default_poll_seconds() -> u64 {
    10
}
fn default_timeout_minutes() -> u64 {
    60
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    command: Vec<String>,
    #[serde(default = "default_timeout_minutes")]
    timeout_minutes: u64,
    #[serde(default)]
    env: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccess {
    #[serde(default)]
    public: bool,
    #[serde(default)]
    allow_users: Vec<Spanned<String>>,
    #[serde(default)]
    allow_channels: Vec<Spanned<String>>,
    #[serde(default)]
    deny_users: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawState {
    path: Option<String>,
}

/// No job or build is waited for longer than a day.
const MAX_TIMEOUT_MINUTES: u64 = 24 * 60;

/// The first `{name}` in an argument that is not a known placeholder.
fn unknown_placeholder(arg: &str) -> Option<String> {
    let mut rest = arg;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        let end = after.find('}')?;
        let name = &after[..end];
        if !["client", "from", "user", "job_id"].contains(&name) {
            return Some(name.to_owned());
        }
        rest = &after[end + 1..];
    }
    None
}

/// The commands the dispatcher knows, so a typo in `[commands.*]` is caught.
pub const KNOWN_COMMANDS: [&str; 5] = ["help", "deploy", "backup", "restore", "jobs"];
/// The long jobs the worker can run from a `[jobs.*]` template.
pub const KNOWN_JOBS: [&str; 2] = ["backup", "restore"];

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

        let api_url = match &raw.slack.api_url {
            Some(v) => c.url(v, "slack.api_url"),
            None => DEFAULT_SLACK_API_URL.to_owned(),
        };
        let command = match &raw.slack.command {
            Some(v) if v.get_ref().starts_with('/') && v.get_ref().len() > 1 => v.get_ref().clone(),
            Some(v) => {
                c.fail(
                    v.span(),
                    "slack.command",
                    "must start with '/', like \"/example\"",
                );
                String::new()
            }
            None => "/example".to_owned(),
        };
        let team_ids = c.ids(&raw.slack.team_ids, "slack.team_ids", TeamId::parse);

        let jenkins = raw.jenkins.as_ref().map(|j| {
            let url = c.url(&j.url, "jenkins.url");
            if j.job.get_ref().trim_matches('/').is_empty() {
                c.fail(j.job.span(), "jenkins.job", "must name the Jenkins job");
            }
            JenkinsConfig {
                url,
                job: j.job.get_ref().trim_matches('/').to_owned(),
                client_param: j.client_param.clone(),
                branch_param: j.branch_param.clone(),
                poll_seconds: j.poll_seconds.clamp(1, 300),
                timeout_minutes: j.timeout_minutes.clamp(1, MAX_TIMEOUT_MINUTES),
            }
        });

        let mut clients = Vec::new();
        for client in &raw.clients {
            if let Err(e) = crate::jobs::check_argument(client.get_ref()) {
                c.fail(client.span(), "clients", e);
            }
            clients.push(client.get_ref().clone());
        }

        let mut jobs = BTreeMap::new();
        for (name, job) in &raw.jobs {
            let key = format!("jobs.{name}");
            if !KNOWN_JOBS.contains(&name.as_str()) {
                c.fail(
                    job.span(),
                    &key,
                    format!("unknown job; known jobs: {}", KNOWN_JOBS.join(", ")),
                );
            }
            let j = job.get_ref();
            if j.command.is_empty() || j.command[0].trim().is_empty() {
                c.fail(
                    job.span(),
                    &format!("{key}.command"),
                    "must name a program to run",
                );
            }
            for arg in &j.command {
                if let Some(bad) = unknown_placeholder(arg) {
                    c.fail(
                        job.span(),
                        &format!("{key}.command"),
                        format!(
                            "unknown placeholder {{{bad}}}; known: {{client}}, {{from}}, {{user}}, {{job_id}}"
                        ),
                    );
                }
            }
            for var in &j.env {
                let well_formed = !var.is_empty()
                    && !var.starts_with(|ch: char| ch.is_ascii_digit())
                    && var
                        .chars()
                        .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit() || ch == '_');
                if !well_formed {
                    c.fail(
                        job.span(),
                        &format!("{key}.env"),
                        format!("{var:?} is not a variable name like PGPASSWORD"),
                    );
                } else if is_credential_var(var) {
                    c.fail(
                        job.span(),
                        &format!("{key}.env"),
                        format!(
                            "{var} is one of Switchboard's own credentials; jobs never get them"
                        ),
                    );
                }
            }
            jobs.insert(
                name.clone(),
                JobTemplate {
                    command: j.command.clone(),
                    timeout_minutes: j.timeout_minutes.clamp(1, MAX_TIMEOUT_MINUTES),
                    env: j.env.clone(),
                },
            );
        }

        let mut commands = BTreeMap::new();
        for (name, access) in &raw.commands {
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
            };
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

        let mut trackers: Vec<TrackerConfig> = Vec::new();
        for t in &raw.trackers {
            let r = t.get_ref();
            let key = format!("trackers.{}", r.name);
            if r.name.is_empty()
                || !r
                    .name
                    .chars()
                    .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
            {
                c.fail(
                    t.span(),
                    "trackers.name",
                    format!("{:?} must be letters, digits, - or _", r.name),
                );
            }
            if trackers.iter().any(|o| o.name == r.name) {
                c.fail(t.span(), &key, "two trackers have this name");
            }
            let url = c.url(&r.url, &format!("{key}.url"));
            let api_url = r
                .api_url
                .as_ref()
                .map(|a| c.url(a, &format!("{key}.api_url")));
            if r.kind == TrackerKind::Yandex && r.org_id.is_none() {
                c.fail(
                    t.span(),
                    &format!("{key}.org_id"),
                    "Yandex Tracker needs the organisation id",
                );
            }
            trackers.push(TrackerConfig {
                name: r.name.clone(),
                kind: r.kind,
                url,
                api_url,
                trac_mode: r.trac_mode,
                org_id: r.org_id.clone(),
            });
        }
        let unfurl = UnfurlConfig {
            repeat_minutes: raw.unfurl.repeat_minutes.unwrap_or(30).min(7 * 24 * 60),
            max_links: raw.unfurl.max_links.unwrap_or(3).max(1),
            budget_ms: raw.unfurl.budget_ms.unwrap_or(2000).clamp(100, 2000),
        };

        let mut bridge = BridgeConfig {
            approved: raw
                .bridge
                .approved
                .clone()
                .unwrap_or_else(|| "Ready for Test".into()),
            merged: raw
                .bridge
                .merged
                .clone()
                .unwrap_or_else(|| "Ready for Test".into()),
            declined: raw
                .bridge
                .declined
                .clone()
                .unwrap_or_else(|| "Needs improvement".into()),
            changes_requested: raw
                .bridge
                .changes_requested
                .clone()
                .unwrap_or_else(|| "Needs improvement".into()),
            bench_field: raw.bridge.bench_field.clone(),
            notify_when_stuck: raw.bridge.notify_when_stuck,
            review_associations: DEFAULT_REVIEW_ASSOCIATIONS
                .iter()
                .map(|a| (*a).to_owned())
                .collect(),
            projects: Vec::new(),
        };
        if let Some(list) = &raw.bridge.review_associations {
            bridge.review_associations = list
                .get_ref()
                .iter()
                .map(|a| a.trim().to_ascii_uppercase())
                .collect();
            for a in &bridge.review_associations {
                if !GITHUB_ASSOCIATIONS.contains(&a.as_str()) {
                    c.fail(
                        list.span(),
                        "bridge.review_associations",
                        format!(
                            "{a:?} is not a GitHub author_association; known: {}",
                            GITHUB_ASSOCIATIONS.join(", ")
                        ),
                    );
                }
            }
        }
        for p in &raw.bridge.projects {
            let r = p.get_ref();
            let key = format!("bridge.projects.{}", r.key);
            let good_key = r
                .key
                .chars()
                .next()
                .is_some_and(|ch| ch.is_ascii_uppercase())
                && r.key
                    .chars()
                    .all(|ch| ch.is_ascii_uppercase() || ch.is_ascii_digit());
            if !good_key {
                c.fail(
                    p.span(),
                    &key,
                    "the key must be capital letters and digits, like SHOP",
                );
            }
            match trackers.iter().find(|t| t.name == r.tracker) {
                Some(t) if matches!(t.kind, TrackerKind::Jira | TrackerKind::Yandex) => {}
                Some(_) => c.fail(
                    p.span(),
                    &format!("{key}.tracker"),
                    "the bridge moves Jira or Yandex Tracker issues only",
                ),
                None => c.fail(
                    p.span(),
                    &format!("{key}.tracker"),
                    format!("no [[trackers]] entry is named {:?}", r.tracker),
                ),
            }
            let channel = match r.channel.as_deref().map(ChannelId::parse) {
                Some(Ok(ch)) => Some(ch),
                Some(Err(e)) => {
                    c.fail(p.span(), &format!("{key}.channel"), e);
                    None
                }
                None => None,
            };
            let repos = r.repos.clone().unwrap_or_default();
            if repos.is_empty() {
                c.fail(
                    p.span(),
                    &format!("{key}.repos"),
                    "list the repositories whose pull requests may move its issues, \
                     like repos = [\"acme/shop\"]",
                );
            }
            for repo in &repos {
                if !is_repo_name(repo) {
                    c.fail(
                        p.span(),
                        &format!("{key}.repos"),
                        format!("{repo:?} is not owner/name, like \"acme/shop\""),
                    );
                }
            }
            bridge.projects.push(BridgeProject {
                key: r.key.clone(),
                tracker: r.tracker.clone(),
                channel,
                repos,
            });
        }

        let scanner = scanner::check(&raw.scanner, &mut c, &trackers);
        let poller = check_poller(&mut c, &raw.poller, &trackers);

        if c.problems.is_empty() {
            Ok(Self {
                slack: SlackConfig {
                    api_url,
                    command,
                    team_ids,
                },
                jenkins,
                clients,
                jobs,
                commands,
                state: StateConfig {
                    path: raw
                        .state
                        .path
                        .map(PathBuf::from)
                        .unwrap_or_else(|| PathBuf::from(".switchboard/state.jsonl")),
                },
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

/// Checks `[poller]`: each subscription names a board, a channel and a
/// Trello tracker (the only one, when it names none).
fn check_poller(c: &mut Checker<'_>, raw: &RawPoller, trackers: &[TrackerConfig]) -> PollerConfig {
    let defaults = PollerConfig::default();
    let mut poller = PollerConfig {
        summary_threshold: raw
            .summary_threshold
            .unwrap_or(defaults.summary_threshold)
            .max(1),
        every_seconds: raw
            .every_seconds
            .unwrap_or(defaults.every_seconds)
            .clamp(1, 3600),
        post_interval_ms: raw
            .post_interval_ms
            .unwrap_or(defaults.post_interval_ms)
            .min(10_000),
        claim_stale_after_seconds: raw
            .claim_stale_after_seconds
            .unwrap_or(defaults.claim_stale_after_seconds)
            .clamp(30, 86_400),
        subscriptions: Vec::new(),
    };
    let trello: Vec<&TrackerConfig> = trackers
        .iter()
        .filter(|t| t.kind == TrackerKind::Trello)
        .collect();
    for s in &raw.subscriptions {
        let r = s.get_ref();
        let key = format!("poller.subscriptions.{}", r.board);
        if r.board.is_empty()
            || r.board.len() > 64
            || !r.board.chars().all(|ch| ch.is_ascii_alphanumeric())
        {
            c.fail(
                s.span(),
                "poller.subscriptions.board",
                format!(
                    "{:?} must be the board's id or short link (letters and digits)",
                    r.board
                ),
            );
        }
        let channel = match ChannelId::parse(&r.channel) {
            Ok(ch) => Some(ch),
            Err(e) => {
                c.fail(s.span(), &format!("{key}.channel"), e);
                None
            }
        };
        let tracker = match &r.tracker {
            Some(name) => match trackers.iter().find(|t| &t.name == name) {
                Some(t) if t.kind == TrackerKind::Trello => Some(name.clone()),
                Some(_) => {
                    c.fail(
                        s.span(),
                        &format!("{key}.tracker"),
                        format!("{name:?} is not a Trello tracker"),
                    );
                    None
                }
                None => {
                    c.fail(
                        s.span(),
                        &format!("{key}.tracker"),
                        format!("no [[trackers]] entry is named {name:?}"),
                    );
                    None
                }
            },
            None => match trello.as_slice() {
                [only] => Some(only.name.clone()),
                [] => {
                    c.fail(
                        s.span(),
                        &format!("{key}.tracker"),
                        "needs a [[trackers]] entry of kind \"trello\"",
                    );
                    None
                }
                _ => {
                    c.fail(
                        s.span(),
                        &format!("{key}.tracker"),
                        "several Trello trackers are configured: name one with tracker = \"…\"",
                    );
                    None
                }
            },
        };
        let lists: Vec<String> = r.lists.iter().map(|l| l.trim().to_owned()).collect();
        if lists.iter().any(String::is_empty) {
            c.fail(s.span(), &format!("{key}.lists"), "a list name is empty");
        }
        if let (Some(channel), Some(tracker)) = (channel, tracker) {
            // A second entry for the same pair would share one cursor and
            // post everything twice.
            if poller
                .subscriptions
                .iter()
                .any(|o: &Subscription| o.board == r.board && o.channel == channel)
            {
                c.fail(
                    s.span(),
                    &key,
                    format!("board {} already posts to {channel}", r.board),
                );
            }
            let mut actions: Vec<TrelloActionKind> = Vec::new();
            for a in &r.actions {
                if !actions.contains(a) {
                    actions.push(*a);
                }
            }
            poller.subscriptions.push(Subscription {
                board: r.board.clone(),
                channel,
                tracker,
                actions,
                lists,
            });
        }
    }
    poller
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
mod tests {
    use super::*;

    const EXAMPLE: &str = include_str!("../../../switchboard.example.toml");

    #[test]
    fn the_example_config_is_valid() {
        let c = Config::parse(EXAMPLE, "switchboard.example.toml").expect("example parses");
        assert_eq!(c.slack.api_url, DEFAULT_SLACK_API_URL);
        assert!(c.access("help").is_some_and(|a| a.public));
        assert!(c.jobs.contains_key("backup"));
    }

    fn error_of(text: &str) -> String {
        match Config::parse(text, "t.toml") {
            Ok(_) => panic!("expected an error for {text:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn errors_name_the_key_and_line() {
        let check = |text: &str, expected: &[&str]| {
            let err = error_of(text);
            for e in expected {
                assert!(err.contains(e), "{err:?} should contain {e:?}");
            }
        };
        check(
            "[slack]\napi_url = \"ftp://x\"\n",
            &["t.toml", "line 2", "slack.api_url"],
        );
        check(
            "[slack]\nap_url = \"https://x\"\n",
            &["line 2", "unknown field", "ap_url"],
        );
        check(
            "[commands.deploy]\nallow_users = [\"U1234\", \"bob\"]\n",
            &["line 2", "commands.deploy.allow_users", "\"bob\""],
        );
        check(
            "[commands.deploy]\n",
            &["line 1", "commands.deploy", "nobody could run it"],
        );
        check(
            "[commands.deplyo]\npublic = true\n",
            &["commands.deplyo", "unknown command"],
        );
        check("[jobs.backup]\ncommand = []\n", &["jobs.backup.command"]);
        check(
            "[jobs.backup]\ncommand = [\"dump\", \"{clinet}\"]\n",
            &["jobs.backup.command", "unknown placeholder {clinet}"],
        );
        check("clients = [\"ok\", \"a b\"]\n", &["line 1", "clients"]);
        check("[slack\n", &["line 1"]);
        check("[jenkins]\nurl = \"https://j\"\n", &["job"]);
        check(
            "[[trackers]]\nname = \"t\"\nkind = \"bugzilla\"\nurl = \"https://b\"\n",
            &["line 3", "bugzilla"],
        );
        check(
            "[[trackers]]\nname = \"y\"\nkind = \"yandex\"\nurl = \"https://tracker.yandex.ru\"\n",
            &["trackers.y.org_id"],
        );
        check(
            "[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\n",
            &[
                "line 1",
                "bridge.projects.SHOP.tracker",
                "no [[trackers]] entry",
            ],
        );
        check(
            "[[bridge.projects]]\nkey = \"shop\"\ntracker = \"x\"\nchannel = \"general\"\n",
            &["bridge.projects.shop", "capital letters", "channel"],
        );
    }

    const JIRA: &str = "[[trackers]]\nname = \"jira\"\nkind = \"jira\"\nurl = \"https://j\"\n";

    #[test]
    fn a_bridge_project_names_the_repositories_that_may_move_it() {
        let err = error_of(&format!(
            "{JIRA}[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\n"
        ));
        assert!(err.contains("bridge.projects.SHOP.repos"), "{err}");
        let err = error_of(&format!(
            "{JIRA}[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = []\n"
        ));
        assert!(err.contains("bridge.projects.SHOP.repos"), "{err}");
        let err = error_of(&format!(
            "{JIRA}[[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = [\"shop\"]\n"
        ));
        assert!(err.contains("\"shop\" is not owner/name"), "{err}");
        let c = Config::parse(
            &format!(
                "{JIRA}[bridge]\nreview_associations = [\"owner\"]\n\
                 [[bridge.projects]]\nkey = \"SHOP\"\ntracker = \"jira\"\nrepos = [\"Acme/shop\"]\n"
            ),
            "t.toml",
        )
        .expect("valid");
        assert!(c.bridge.projects[0].allows_repo("acme/Shop"));
        assert!(!c.bridge.projects[0].allows_repo("acme/shop-fork"));
        assert_eq!(c.bridge.review_associations, ["OWNER"]);
        let err = error_of("[bridge]\nreview_associations = [\"ANYONE\"]\n");
        assert!(err.contains("bridge.review_associations"), "{err}");
        let d = Config::parse("", "t").expect("empty");
        assert_eq!(
            d.bridge.review_associations,
            ["OWNER", "MEMBER", "COLLABORATOR"]
        );
    }

    #[test]
    fn team_ids_are_checked_and_admit_only_their_workspaces() {
        let err = error_of("[slack]\nteam_ids = [\"acme\"]\n");
        assert!(err.contains("slack.team_ids"), "{err}");
        let c = Config::parse("[slack]\nteam_ids = [\"T0ACME\"]\n", "t").expect("valid");
        let acme = TeamId::parse("T0ACME").expect("id");
        let other = TeamId::parse("T0OTHER").expect("id");
        assert!(c.slack.admits_team(Some(&acme)));
        assert!(!c.slack.admits_team(Some(&other)));
        assert!(!c.slack.admits_team(None));
        let any = Config::parse("", "t").expect("valid");
        assert!(any.slack.admits_team(Some(&other)) && any.slack.admits_team(None));
    }

    #[test]
    fn public_with_an_allow_list_is_refused() {
        for list in ["allow_users = [\"UANN\"]", "allow_channels = [\"COPS\"]"] {
            let err = error_of(&format!("[commands.deploy]\npublic = true\n{list}\n"));
            assert!(
                err.contains("commands.deploy") && err.contains("public = true"),
                "{err}"
            );
        }
        assert!(Config::parse("[commands.deploy]\npublic = true\n", "t").is_ok());
    }

    #[test]
    fn a_bad_time_zone_is_refused_by_the_one_parser() {
        let err = error_of("[scanner]\ntime_zone = \"Mars/Olympus\"\n");
        assert!(
            err.contains("line 2") && err.contains("scanner.time_zone"),
            "{err}"
        );
        let c = Config::parse("[scanner]\ntime_zone = \"Europe/London\"\n", "t").expect("ok");
        assert_eq!(c.scanner.time_zone, "Europe/London");
    }

    #[test]
    fn jobs_may_name_only_their_own_variables() {
        let c = Config::parse(
            "[jobs.backup]\ncommand = [\"dump\"]\nenv = [\"PGPASSWORD\"]\n",
            "t",
        )
        .expect("valid");
        assert_eq!(c.jobs["backup"].env, ["PGPASSWORD"]);
        for bad in [
            "SLACK_BOT_TOKEN",
            "TRACKER_JIRA_TOKEN",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_WEBHOOK_SECRET",
        ] {
            let err = error_of(&format!(
                "[jobs.backup]\ncommand = [\"dump\"]\nenv = [\"{bad}\"]\n"
            ));
            assert!(
                err.contains("jobs.backup.env") && err.contains(bad),
                "{err}"
            );
        }
        let err = error_of("[jobs.backup]\ncommand = [\"dump\"]\nenv = [\"a=b\"]\n");
        assert!(err.contains("jobs.backup.env"), "{err}");
    }

    #[test]
    fn poller_subscriptions_parse_and_default_their_tracker() {
        let c = Config::parse(
            r#"
[[trackers]]
name = "boards"
kind = "trello"
url = "https://trello.com"
[poller]
summary_threshold = 5
post_interval_ms = 0
claim_stale_after_seconds = 5
[[poller.subscriptions]]
board = "5f1c0ffee0ddba11deadbeef"
channel = "C0TEAM"
actions = ["createCard", "updateCard:idList", "createCard"]
lists = [" Done "]
"#,
            "t.toml",
        )
        .expect("valid");
        assert_eq!(c.poller.summary_threshold, 5);
        assert_eq!(
            c.poller.claim_stale_after_seconds, 30,
            "a horizon shorter than one post is raised to the floor"
        );
        let defaults = Config::parse("", "t.toml").expect("empty");
        assert_eq!(defaults.poller.claim_stale_after_seconds, 300);
        assert_eq!(c.poller.post_interval_ms, 0);
        assert_eq!(c.poller.every_seconds, 60);
        let s = &c.poller.subscriptions[0];
        assert_eq!(s.tracker, "boards");
        assert_eq!(s.channel.as_str(), "C0TEAM");
        assert_eq!(
            s.actions,
            [TrelloActionKind::CreateCard, TrelloActionKind::MoveCard]
        );
        assert_eq!(s.lists, ["Done"]);
    }

    #[test]
    fn poller_errors_name_the_key_and_line() {
        let trello =
            "[[trackers]]\nname = \"t\"\nkind = \"trello\"\nurl = \"https://trello.com\"\n";
        let check = |text: &str, expected: &[&str]| {
            let err = error_of(text);
            for e in expected {
                assert!(err.contains(e), "{err:?} should contain {e:?}");
            }
        };
        check(
            "[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\n",
            &[
                "line 1",
                "poller.subscriptions.abc.tracker",
                "kind \"trello\"",
            ],
        );
        check(
            &format!("{trello}[[poller.subscriptions]]\nboard = \"a/b\"\nchannel = \"general\"\n"),
            &[
                "line 5",
                "poller.subscriptions.board",
                "poller.subscriptions.a/b.channel",
            ],
        );
        check(
            &format!(
                "{trello}[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\nactions = [\"deleteCard\"]\n"
            ),
            &["line 8", "deleteCard", "commentCard"],
        );
        check(
            &format!(
                "{trello}[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\ntracker = \"jira\"\n"
            ),
            &["poller.subscriptions.abc.tracker", "no [[trackers]] entry"],
        );
        check(
            &format!(
                "{trello}[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\n[[poller.subscriptions]]\nboard = \"abc\"\nchannel = \"C1\"\n"
            ),
            &["line 8", "already posts to C1"],
        );
        check(
            "[poller]\nsumary_threshold = 3\n",
            &["line 2", "sumary_threshold"],
        );
    }

    #[test]
    fn defaults_apply() {
        let c = Config::parse("", "empty").expect("empty config is valid");
        assert_eq!(c.slack.command, "/example");
        assert!(c.commands.is_empty());
        assert!(c.jenkins.is_none());
        assert_eq!(c.poller, PollerConfig::default());
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    const TABLES: &[&str] = &[
        "slack",
        "jenkins",
        "jobs.backup",
        "jobs.restore",
        "commands.help",
        "commands.deploy",
        "commands.jobs",
        "unfurl",
        "[trackers]",
        "bridge",
        "[bridge.projects]",
        "scanner",
        "scanner.users",
        "[scanner.projects]",
        "poller",
        "[poller.subscriptions]",
        "state",
    ];

    const KEYS: &[&str] = &[
        "api_url",
        "command",
        "url",
        "job",
        "public",
        "allow_users",
        "allow_channels",
        "deny_users",
        "name",
        "kind",
        "trac_mode",
        "tracker",
        "project",
        "key",
        "channel",
        "board",
        "actions",
        "lists",
        "stale_days",
        "summary_day",
        "summary_hour",
        "time_zone",
        "timeout_minutes",
        "max_links",
        "path",
        "clients",
        "repos",
        "review_associations",
        "team_ids",
        "env",
    ];

    const VALUES: &[&str] = &[
        "https://example.com",
        "trac",
        "codebase",
        "trello",
        "jira",
        "yandex",
        "U1",
        "C1",
        "monday",
        "Europe/London",
        "{client}",
        "commentCard",
        "jsonrpc",
    ];

    fn value() -> impl Strategy<Value = String> {
        let scalar = prop_oneof![
            prop::word(VALUES).prop_map(|s| format!("{s:?}")),
            any::<i64>().prop_map(|n| n.to_string()),
            any::<bool>().prop_map(|b| b.to_string()),
            Just("1979-05-27T07:32:00Z".to_owned()),
            Just("nan".to_owned()),
        ];
        prop_oneof![
            3 => scalar.clone(),
            1 => proptest::collection::vec(scalar, 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        ]
    }

    /// A TOML document of the config's own tables and keys with random
    /// values: mostly valid TOML, so the checks after parsing are reached.
    fn document() -> impl Strategy<Value = String> {
        let entry = (prop::word(KEYS), value()).prop_map(|(k, v)| format!("{k:?} = {v}\n"));
        let table = (
            proptest::sample::select(TABLES),
            proptest::collection::vec(entry, 0..5),
        )
            .prop_map(|(t, entries)| format!("[{t}]\n{}", entries.concat()));
        proptest::collection::vec(table, 0..6).prop_map(|t| t.concat())
    }

    fn check(text: &str) -> Result<(), TestCaseError> {
        if let Err(e) = Config::parse(text, "t.toml") {
            let ConfigError::Invalid { origin, message } = e else {
                return Err(TestCaseError::fail("parse gave a read error"));
            };
            prop_assert_eq!(origin, "t.toml");
            for problem in message.lines() {
                prop_assert!(problem.starts_with("line "), "{problem:?} names no line");
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_text_is_a_config_or_an_error_that_names_a_line(text in any::<String>()) {
            check(&text)?;
        }

        #[test]
        fn structured_toml_is_a_config_or_an_error_that_names_a_line(text in document()) {
            check(&text)?;
        }
    }
}
