//! Bitbucket and GitHub pull-request webhooks, turned into one domain
//! event. Only this module knows their payloads.

use serde::Deserialize;
use switchboard_core::config::BridgeProject;
use switchboard_core::text::{Cut, shorten};

/// What happened to a pull request, as far as the tracker cares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Merged,
    Declined,
    ChangesRequested,
}

impl Outcome {
    pub fn verb(self) -> &'static str {
        match self {
            Self::Approved => "approved",
            Self::Merged => "merged",
            Self::Declined => "declined",
            Self::ChangesRequested => "sent back with changes requested",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrEvent {
    pub outcome: Outcome,
    pub title: String,
    pub branch: String,
    pub description: String,
    pub url: String,
    pub actor: String,
    /// The repository's `full_name` (`owner/name`), empty when absent.
    pub repo: String,
    /// What the payload says about the reviewer's right to review.
    pub standing: Standing,
}

/// Whether the person behind an event may move an issue with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Standing {
    /// A merge or a decline: the provider lets only people with write
    /// access do either, so the event speaks for itself.
    NotAReview,
    /// A GitHub review, with its `author_association` (upper case).
    Association(String),
    /// A Bitbucket approval or change request: whether its author is one of
    /// the pull request's reviewers.
    Reviewer(bool),
}

impl PrEvent {
    /// Why this event may not move the project's issues, when reviews
    /// count only from `associations`; `None` when it may.
    pub fn refusal(&self, project: &BridgeProject, associations: &[String]) -> Option<String> {
        if !project.allows_repo(&self.repo) {
            return Some(format!(
                "repository {:?} is not listed in the project's repos",
                short(&self.repo)
            ));
        }
        match &self.standing {
            Standing::NotAReview => None,
            Standing::Association(a) if associations.contains(a) => None,
            Standing::Association(a) => Some(format!(
                "a review from {} whose author_association is {:?} does not count",
                short(&self.actor),
                short(a)
            )),
            Standing::Reviewer(true) => None,
            Standing::Reviewer(false) => Some(format!(
                "{} is not one of the pull request's reviewers",
                short(&self.actor)
            )),
        }
    }
}

#[derive(Deserialize, Default)]
struct Repository {
    #[serde(default)]
    full_name: String,
}

/// Why a webhook is not acted on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    /// An event kind the bridge does not act on (acknowledged, ignored).
    #[error("ignored event {0}")]
    Ignored(String),
    #[error("the webhook body is not the documented payload: {0}")]
    Malformed(String),
}

#[derive(Deserialize)]
struct BitbucketWire {
    actor: Option<BbActor>,
    pullrequest: BbPr,
    repository: Option<Repository>,
    approval: Option<BbByUser>,
    changes_request: Option<BbByUser>,
}

#[derive(Deserialize)]
struct BbActor {
    display_name: Option<String>,
    uuid: Option<String>,
    account_id: Option<String>,
}

impl BbActor {
    /// Whether two users are the same account; an account without either
    /// id matches nobody.
    fn same_as(&self, other: &BbActor) -> bool {
        let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if !a.is_empty() && a == b);
        same(&self.uuid, &other.uuid) || same(&self.account_id, &other.account_id)
    }
}

#[derive(Deserialize)]
struct BbByUser {
    user: Option<BbActor>,
}

#[derive(Deserialize)]
struct BbParticipant {
    user: Option<BbActor>,
    role: Option<String>,
}

#[derive(Deserialize)]
struct BbPr {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: Option<String>,
    source: Option<BbSource>,
    links: Option<BbLinks>,
    #[serde(default)]
    reviewers: Vec<BbActor>,
    #[serde(default)]
    participants: Vec<BbParticipant>,
}

impl BbPr {
    /// Whether `user` is one of the reviewers, listed directly or as a
    /// participant in the reviewer role.
    fn has_reviewer(&self, user: &BbActor) -> bool {
        self.reviewers.iter().any(|r| r.same_as(user))
            || self.participants.iter().any(|p| {
                p.role.as_deref() == Some("REVIEWER")
                    && p.user.as_ref().is_some_and(|u| u.same_as(user))
            })
    }
}

#[derive(Deserialize)]
struct BbSource {
    branch: Option<BbBranch>,
}

#[derive(Deserialize)]
struct BbBranch {
    name: String,
}

#[derive(Deserialize)]
struct BbLinks {
    html: Option<BbHref>,
}

#[derive(Deserialize)]
struct BbHref {
    href: String,
}

/// Parses a Bitbucket Cloud webhook given its `X-Event-Key`.
pub fn bitbucket(event_key: &str, body: &[u8]) -> Result<PrEvent, EventError> {
    let outcome = match event_key {
        "pullrequest:fulfilled" => Outcome::Merged,
        "pullrequest:approved" => Outcome::Approved,
        "pullrequest:rejected" => Outcome::Declined,
        "pullrequest:changes_request_created" => Outcome::ChangesRequested,
        other => return Err(EventError::Ignored(short(other))),
    };
    let wire: BitbucketWire =
        serde_json::from_slice(body).map_err(|e| EventError::Malformed(e.to_string()))?;
    let pr = wire.pullrequest;
    // The review's own user when the payload names one, else whoever acted.
    let reviewer = match outcome {
        Outcome::Approved => wire.approval.and_then(|a| a.user),
        Outcome::ChangesRequested => wire.changes_request.and_then(|c| c.user),
        Outcome::Merged | Outcome::Declined => None,
    };
    let standing = match outcome {
        Outcome::Merged | Outcome::Declined => Standing::NotAReview,
        Outcome::Approved | Outcome::ChangesRequested => Standing::Reviewer(
            reviewer
                .as_ref()
                .or(wire.actor.as_ref())
                .is_some_and(|u| pr.has_reviewer(u)),
        ),
    };
    Ok(PrEvent {
        repo: wire.repository.unwrap_or_default().full_name,
        standing,
        outcome,
        title: pr.title,
        branch: pr
            .source
            .and_then(|s| s.branch)
            .map(|b| b.name)
            .unwrap_or_default(),
        description: pr.description.unwrap_or_default(),
        url: pr
            .links
            .and_then(|l| l.html)
            .map(|h| h.href)
            .unwrap_or_default(),
        actor: wire
            .actor
            .and_then(|a| a.display_name)
            .unwrap_or_else(|| "someone".into()),
    })
}

#[derive(Deserialize)]
struct GithubWire {
    action: Option<String>,
    pull_request: Option<GhPr>,
    review: Option<GhReview>,
    sender: Option<GhUser>,
    repository: Option<Repository>,
}

#[derive(Deserialize)]
struct GhPr {
    #[serde(default)]
    title: String,
    body: Option<String>,
    #[serde(default)]
    merged: bool,
    head: Option<GhRef>,
    #[serde(default)]
    html_url: String,
}

#[derive(Deserialize)]
struct GhRef {
    #[serde(rename = "ref")]
    name: String,
}

#[derive(Deserialize)]
struct GhReview {
    state: String,
    author_association: Option<String>,
}

#[derive(Deserialize)]
struct GhUser {
    login: String,
}

/// Parses a GitHub webhook given its `X-GitHub-Event`.
pub fn github(event: &str, body: &[u8]) -> Result<PrEvent, EventError> {
    if !matches!(event, "pull_request" | "pull_request_review") {
        return Err(EventError::Ignored(short(event)));
    }
    let wire: GithubWire =
        serde_json::from_slice(body).map_err(|e| EventError::Malformed(e.to_string()))?;
    let action = wire.action.unwrap_or_default();
    let pr = wire
        .pull_request
        .ok_or_else(|| EventError::Malformed("no pull_request".into()))?;
    let association = wire
        .review
        .as_ref()
        .and_then(|r| r.author_association.as_deref())
        .unwrap_or("NONE")
        .to_ascii_uppercase();
    let outcome = match (event, action.as_str()) {
        ("pull_request", "closed") if pr.merged => Outcome::Merged,
        ("pull_request_review", "submitted") => {
            match wire.review.map(|r| r.state.to_ascii_lowercase()).as_deref() {
                Some("approved") => Outcome::Approved,
                Some("changes_requested") => Outcome::ChangesRequested,
                other => {
                    return Err(EventError::Ignored(format!(
                        "review {}",
                        short(other.unwrap_or("without state"))
                    )));
                }
            }
        }
        (e, a) => return Err(EventError::Ignored(format!("{e} {}", short(a)))),
    };
    let standing = match outcome {
        Outcome::Approved | Outcome::ChangesRequested => Standing::Association(association),
        Outcome::Merged | Outcome::Declined => Standing::NotAReview,
    };
    Ok(PrEvent {
        repo: wire.repository.unwrap_or_default().full_name,
        standing,
        outcome,
        title: pr.title,
        branch: pr.head.map(|h| h.name).unwrap_or_default(),
        description: pr.body.unwrap_or_default(),
        url: pr.html_url,
        actor: wire
            .sender
            .map(|s| s.login)
            .unwrap_or_else(|| "someone".into()),
    })
}

/// The start of a sender's word, for a log line about what was ignored.
fn short(text: &str) -> String {
    shorten(text, 64, Cut::Plain)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
