use super::*;

const BB_APPROVED: &str = include_str!("../../tests/fixtures/bitbucket/pullrequest-approved.json");
const GH_MERGED: &str = include_str!("../../tests/fixtures/github/pull_request-closed-merged.json");
const GH_REVIEW: &str =
    include_str!("../../tests/fixtures/github/pull_request_review-submitted.json");

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
