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
mod tests {
    use super::*;

    const BB_APPROVED: &str = include_str!("../tests/fixtures/bitbucket/pullrequest-approved.json");
    const GH_MERGED: &str =
        include_str!("../tests/fixtures/github/pull_request-closed-merged.json");
    const GH_REVIEW: &str =
        include_str!("../tests/fixtures/github/pull_request_review-submitted.json");

    #[test]
    fn bitbucket_events() {
        let e = bitbucket("pullrequest:approved", BB_APPROVED.as_bytes()).expect("parses");
        assert_eq!(e.outcome, Outcome::Approved);
        assert_eq!(e.title, "SHOP-12: Fix the checkout timeout");
        assert_eq!(e.branch, "feature/shop-12-checkout");
        assert_eq!(e.actor, "Ann Reviewer");
        assert!(e.url.starts_with("https://bitbucket.org/"));
        for (key, outcome) in [
            ("pullrequest:fulfilled", Outcome::Merged),
            ("pullrequest:rejected", Outcome::Declined),
            (
                "pullrequest:changes_request_created",
                Outcome::ChangesRequested,
            ),
        ] {
            assert_eq!(
                bitbucket(key, BB_APPROVED.as_bytes()).map(|e| e.outcome),
                Ok(outcome)
            );
        }
        assert!(matches!(
            bitbucket("repo:push", b"{}"),
            Err(EventError::Ignored(_))
        ));
        assert!(matches!(
            bitbucket("pullrequest:approved", b"{nope"),
            Err(EventError::Malformed(_))
        ));
    }

    #[test]
    fn github_events() {
        let e = github("pull_request", GH_MERGED.as_bytes()).expect("merged");
        assert_eq!(
            (e.outcome, e.branch.as_str()),
            (Outcome::Merged, "shop-13-cart")
        );
        assert_eq!(e.actor, "octocat");
        let e = github("pull_request_review", GH_REVIEW.as_bytes()).expect("review");
        assert_eq!(e.outcome, Outcome::ChangesRequested);
        let approved = GH_REVIEW.replace("\"changes_requested\"", "\"approved\"");
        assert_eq!(
            github("pull_request_review", approved.as_bytes()).map(|e| e.outcome),
            Ok(Outcome::Approved)
        );
        let commented = GH_REVIEW.replace("\"changes_requested\"", "\"commented\"");
        assert!(matches!(
            github("pull_request_review", commented.as_bytes()),
            Err(EventError::Ignored(_))
        ));
        let unmerged = GH_MERGED.replace("\"merged\": true", "\"merged\": false");
        assert!(matches!(
            github("pull_request", unmerged.as_bytes()),
            Err(EventError::Ignored(_))
        ));
        assert!(matches!(github("ping", b"{}"), Err(EventError::Ignored(_))));
    }

    fn project(repos: &[&str]) -> BridgeProject {
        BridgeProject {
            key: "SHOP".into(),
            tracker: "jira".into(),
            channel: None,
            repos: repos.iter().map(|r| (*r).to_owned()).collect(),
        }
    }

    fn write_access() -> Vec<String> {
        vec!["OWNER".into(), "MEMBER".into(), "COLLABORATOR".into()]
    }

    #[test]
    fn github_reviews_count_only_from_the_configured_associations() {
        let shop = project(&["acme/shop"]);
        let e = github("pull_request_review", GH_REVIEW.as_bytes()).expect("review");
        assert_eq!(
            (e.repo.as_str(), &e.standing),
            ("acme/shop", &Standing::Association("COLLABORATOR".into()))
        );
        assert_eq!(e.refusal(&shop, &write_access()), None);
        for outsider in ["\"CONTRIBUTOR\"", "\"NONE\"", "\"FIRST_TIMER\""] {
            let body = GH_REVIEW.replace("\"COLLABORATOR\"", outsider);
            let e = github("pull_request_review", body.as_bytes()).expect("review");
            let why = e.refusal(&shop, &write_access()).expect("refused");
            assert!(why.contains("author_association"), "{why}");
        }
        // A review without the field is nobody's.
        let bare = GH_REVIEW.replace("\"author_association\": \"COLLABORATOR\",", "");
        let e = github("pull_request_review", bare.as_bytes()).expect("review");
        assert!(e.refusal(&shop, &write_access()).is_some());
        // The set is the config's to change.
        let contributor = GH_REVIEW.replace("\"COLLABORATOR\"", "\"CONTRIBUTOR\"");
        let e = github("pull_request_review", contributor.as_bytes()).expect("review");
        assert_eq!(e.refusal(&shop, &["CONTRIBUTOR".into()]), None);
        // A merge needs write access on GitHub already.
        let e = github("pull_request", GH_MERGED.as_bytes()).expect("merged");
        assert_eq!(e.refusal(&shop, &write_access()), None);
    }

    #[test]
    fn an_unlisted_repository_moves_nothing() {
        let e = github("pull_request", GH_MERGED.as_bytes()).expect("merged");
        let why = e
            .refusal(&project(&["acme/other"]), &write_access())
            .expect("refused");
        assert!(why.contains("acme/shop"), "{why}");
        assert_eq!(e.refusal(&project(&["ACME/Shop"]), &write_access()), None);
        let nameless = GH_MERGED.replace("\"full_name\": \"acme/shop\"", "\"id\": 4");
        let e = github("pull_request", nameless.as_bytes()).expect("merged");
        assert!(
            e.refusal(&project(&["acme/shop"]), &write_access())
                .is_some()
        );
        let e = bitbucket("pullrequest:fulfilled", BB_APPROVED.as_bytes()).expect("merged");
        assert_eq!(e.repo, "acme/shop");
        assert!(
            e.refusal(&project(&["acme/web"]), &write_access())
                .is_some()
        );
    }

    #[test]
    fn bitbucket_reviews_count_only_from_the_pull_requests_reviewers() {
        let shop = project(&["acme/shop"]);
        let e = bitbucket("pullrequest:approved", BB_APPROVED.as_bytes()).expect("parses");
        assert_eq!(e.standing, Standing::Reviewer(true));
        assert_eq!(e.refusal(&shop, &write_access()), None);
        // Someone else approves: their ids are in no reviewer entry.
        let stranger = BB_APPROVED
            .replace(
                "\"uuid\": \"{d301aafa-d676-4ee0-88be-962be7417567}\",\n      \"account_id\": \"557058:ba8948b2-49da-43a9-9e8b-e7249b8e324a\",\n      \"nickname\": \"ann\"\n    }\n  }",
                "\"uuid\": \"{00000000-0000-4000-8000-00000000beef}\"\n    }\n  }",
            );
        assert_ne!(stranger, BB_APPROVED, "the fixture changed shape");
        let e = bitbucket("pullrequest:approved", stranger.as_bytes()).expect("parses");
        assert_eq!(e.standing, Standing::Reviewer(false));
        assert!(e.refusal(&shop, &write_access()).is_some());
        // A change request reads its own user, else the actor.
        let e = bitbucket(
            "pullrequest:changes_request_created",
            BB_APPROVED.as_bytes(),
        )
        .expect("parses");
        assert_eq!(e.standing, Standing::Reviewer(true));
        let no_reviewers = serde_json::json!({
            "actor": {"uuid": "{a}"},
            "repository": {"full_name": "acme/shop"},
            "pullrequest": {"title": "SHOP-1", "reviewers": []},
            "changes_request": {"user": {"uuid": "{a}"}},
        });
        let e = bitbucket(
            "pullrequest:changes_request_created",
            no_reviewers.to_string().as_bytes(),
        )
        .expect("parses");
        assert_eq!(e.standing, Standing::Reviewer(false));
        // Merging and declining need write access on Bitbucket already.
        let e = bitbucket("pullrequest:rejected", stranger.as_bytes()).expect("parses");
        assert_eq!(e.refusal(&shop, &write_access()), None);
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "actor",
        "display_name",
        "pullrequest",
        "title",
        "description",
        "source",
        "branch",
        "name",
        "links",
        "html",
        "href",
        "action",
        "closed",
        "submitted",
        "pull_request",
        "review",
        "state",
        "approved",
        "changes_requested",
        "sender",
        "login",
        "body",
        "merged",
        "head",
        "ref",
        "html_url",
        "SHOP-12",
    ];
    const EVENTS: &[&str] = &[
        "pullrequest:fulfilled",
        "pullrequest:approved",
        "pullrequest:rejected",
        "pullrequest:changes_request_created",
        "pull_request",
        "pull_request_review",
        "push",
    ];

    fn body() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..200),
            prop::json(WORDS).prop_map(|v| v.to_string().into_bytes()),
        ]
    }

    #[test]
    fn a_long_github_action_is_cut_in_the_ignored_note() {
        let body = serde_json::json!({ "action": "x".repeat(500), "pull_request": {} });
        let Err(EventError::Ignored(why)) = github("pull_request", body.to_string().as_bytes())
        else {
            panic!("expected an ignored event");
        };
        assert_eq!(why, format!("pull_request {}", "x".repeat(64)));
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_payload_is_an_event_or_an_error(event in prop::word(EVENTS), body in body()) {
            for result in [bitbucket(&event, &body), github(&event, &body)] {
                if let Err(EventError::Ignored(why)) = result {
                    // What is logged of an ignored event stays short.
                    prop_assert!(why.chars().count() <= 64 + 40, "{why:?}");
                }
            }
        }

        #[test]
        fn github_reviews_and_actions_of_any_text_are_read(
            event in proptest::sample::select(vec!["pull_request", "pull_request_review"]),
            action in prop_oneof![prop::word(&["closed", "submitted", "opened"]), ".{0,300}"],
            state in prop_oneof![
                prop::word(&["approved", "APPROVED", "changes_requested", "commented"]),
                ".{0,300}",
            ],
            merged in any::<bool>(),
        ) {
            let body = serde_json::json!({
                "action": action,
                "pull_request": { "title": "SHOP-1", "merged": merged },
                "review": { "state": state },
            });
            match github(event, body.to_string().as_bytes()) {
                Ok(e) => prop_assert_eq!(e.title, "SHOP-1"),
                Err(EventError::Ignored(why)) => {
                    prop_assert!(why.chars().count() <= 64 + 40, "{why:?}");
                }
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }
}
