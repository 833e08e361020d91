//! `[bridge]`: which pull-request events move which tracker issues.

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, TrackerConfig, TrackerKind};
use crate::ids::ChannelId;

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

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawBridge {
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

pub(super) fn check(
    raw: &RawBridge,
    c: &mut Checker<'_>,
    trackers: &[TrackerConfig],
) -> BridgeConfig {
    let mut bridge = BridgeConfig {
        approved: raw
            .approved
            .clone()
            .unwrap_or_else(|| "Ready for Test".into()),
        merged: raw
            .merged
            .clone()
            .unwrap_or_else(|| "Ready for Test".into()),
        declined: raw
            .declined
            .clone()
            .unwrap_or_else(|| "Needs improvement".into()),
        changes_requested: raw
            .changes_requested
            .clone()
            .unwrap_or_else(|| "Needs improvement".into()),
        bench_field: raw.bench_field.clone(),
        notify_when_stuck: raw.notify_when_stuck,
        review_associations: DEFAULT_REVIEW_ASSOCIATIONS
            .iter()
            .map(|a| (*a).to_owned())
            .collect(),
        projects: Vec::new(),
    };
    if let Some(list) = &raw.review_associations {
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
    for p in &raw.projects {
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
    bridge
}
