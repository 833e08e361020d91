//! `[poller]`: which Trello boards feed which channels, and how a run behaves.

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, TrackerConfig, TrackerKind};
use crate::ids::ChannelId;

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

impl Subscription {
    /// Whether it posts the same board to the same channel as `other`: two
    /// such would share one cursor, so only one of them may run.
    pub fn same_feed(&self, other: &Subscription) -> bool {
        self.board == other.board && self.channel == other.channel
    }
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

impl TrelloActionKind {
    pub const ALL: [TrelloActionKind; 4] = [
        TrelloActionKind::CreateCard,
        TrelloActionKind::MoveCard,
        TrelloActionKind::CommentCard,
        TrelloActionKind::CheckItem,
    ];

    /// Trello's name for it, the one the config and commands accept.
    pub fn name(self) -> &'static str {
        match self {
            TrelloActionKind::CreateCard => "createCard",
            TrelloActionKind::MoveCard => "updateCard:idList",
            TrelloActionKind::CommentCard => "commentCard",
            TrelloActionKind::CheckItem => "updateCheckItemStateOnCard",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Why `board` cannot be a board id or short link, if it cannot.
pub fn board_problem(board: &str) -> Option<String> {
    (board.is_empty() || board.len() > 64 || !board.chars().all(|ch| ch.is_ascii_alphanumeric()))
        .then(|| format!("{board:?} must be the board's id or short link (letters and digits)"))
}

/// The longest list name kept; Trello's own limit is far above any real one.
pub const MAX_LIST_NAME: usize = 200;

/// A list filter's names, trimmed; refused when one is empty or too long.
pub fn check_lists(lists: &[String]) -> Result<Vec<String>, String> {
    let lists: Vec<String> = lists.iter().map(|l| l.trim().to_owned()).collect();
    if lists.iter().any(String::is_empty) {
        return Err("a list name is empty".into());
    }
    if lists.iter().any(|l| l.chars().count() > MAX_LIST_NAME) {
        return Err(format!(
            "a list name is longer than {MAX_LIST_NAME} characters"
        ));
    }
    Ok(lists)
}

/// The actions in their first order, each once.
pub fn unique_actions(actions: &[TrelloActionKind]) -> Vec<TrelloActionKind> {
    let mut out: Vec<TrelloActionKind> = Vec::new();
    for a in actions {
        if !out.contains(a) {
            out.push(*a);
        }
    }
    out
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPoller {
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

/// Checks `[poller]`: each subscription names a board, a channel and a
/// Trello tracker (the only one, when it names none).
pub(super) fn check(
    raw: &RawPoller,
    c: &mut Checker<'_>,
    trackers: &[TrackerConfig],
) -> PollerConfig {
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
        if let Some(problem) = board_problem(&r.board) {
            c.fail(s.span(), "poller.subscriptions.board", problem);
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
        let lists = check_lists(&r.lists).unwrap_or_else(|problem| {
            c.fail(s.span(), &format!("{key}.lists"), problem);
            Vec::new()
        });
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
            poller.subscriptions.push(Subscription {
                board: r.board.clone(),
                channel,
                tracker,
                actions: unique_actions(&r.actions),
                lists,
            });
        }
    }
    poller
}
