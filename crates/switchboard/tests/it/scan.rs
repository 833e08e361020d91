//! `switchboard scan` end to end: Codebase and Slack faked by wiremock, the
//! embedded state file between runs, and a snooze pressed through `serve`.

use std::path::Path;

use serde_json::Value;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::harness::{Served, bin};

const PAGE_1: &str = include_str!("../fixtures/codebase/tickets-web-page-1.json");
const DAY: i64 = 86_400;

struct World {
    codebase: MockServer,
    slack: MockServer,
    dir: tempfile::TempDir,
}

fn weekday_name(at: i64) -> String {
    let ts = jiff::Timestamp::from_second(at).expect("time");
    format!("{:?}", ts.to_zoned(jiff::tz::TimeZone::UTC).weekday()).to_lowercase()
}

fn rfc3339(at: i64) -> String {
    jiff::Timestamp::from_second(at).expect("time").to_string()
}

impl World {
    async fn new(summary_day: &str) -> Self {
        let codebase = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/web/tickets.json"))
            .and(query_param("page", "1"))
            .respond_with(ResponseTemplate::new(200).set_body_string(PAGE_1))
            .mount(&codebase)
            .await;
        // Past the last page Codebase answers 404; that is the end, not an error.
        Mock::given(method("GET"))
            .and(path("/web/tickets.json"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&codebase)
            .await;
        // A project with no open tickets answers an empty list.
        Mock::given(method("GET"))
            .and(path("/api/tickets.json"))
            .respond_with(ResponseTemplate::new(200).set_body_string("[]"))
            .mount(&codebase)
            .await;

        let slack = MockServer::start().await;
        Mock::given(method("POST"))
            .and(path("/conversations.open"))
            .respond_with(|req: &Request| {
                let body: Value = serde_json::from_slice(&req.body).unwrap_or_default();
                let user = body["users"].as_str().unwrap_or("U0").to_owned();
                ResponseTemplate::new(200).set_body_json(serde_json::json!({
                    "ok": true,
                    "channel": { "id": format!("D{}", &user[1..]) },
                }))
            })
            .mount(&slack)
            .await;
        Mock::given(method("POST"))
            .and(path("/chat.postMessage"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(serde_json::json!({ "ok": true, "ts": "1.1" })),
            )
            .mount(&slack)
            .await;
        Mock::given(method("POST"))
            .and(path("/users.lookupByEmail"))
            .respond_with(|req: &Request| {
                let body = String::from_utf8_lossy(&req.body).into_owned();
                if body.contains("dave%40acme.example") {
                    ResponseTemplate::new(200).set_body_json(
                        serde_json::json!({ "ok": true, "user": { "id": "U0DAVE" } }),
                    )
                } else {
                    ResponseTemplate::new(200).set_body_json(
                        serde_json::json!({ "ok": false, "error": "users_not_found" }),
                    )
                }
            })
            .mount(&slack)
            .await;

        let dir = tempfile::tempdir().expect("tempdir");
        let config = format!(
            r#"
[slack]
api_url = "{slack}"

[[trackers]]
name = "codebase"
kind = "codebase"
url = "https://acme.codebasehq.com"
api_url = "{codebase}"

[scanner]
channel = "C0SUMMARY"
summary_day = "{summary_day}"
summary_hour = 0
time_zone = "UTC"
renotify_days = 1
snooze_days = 7
requests_per_second = 50

[scanner.users]
alice = "U0ALICE"
bob = "U0BOB"

[[scanner.projects]]
tracker = "codebase"
project = "web"
exempt_labels = ["pinned"]

[[scanner.projects]]
tracker = "codebase"
project = "api"

[state]
path = "{state}"
"#,
            slack = slack.uri(),
            codebase = codebase.uri(),
            state = dir.path().join("state.jsonl").display(),
        );
        std::fs::write(dir.path().join("switchboard.toml"), config).expect("config");
        Self {
            codebase,
            slack,
            dir,
        }
    }

    fn config_path(&self) -> std::path::PathBuf {
        self.dir.path().join("switchboard.toml")
    }

    /// Runs `switchboard scan` as at `now`; returns its stdout.
    async fn scan(&self, now: i64, dry_run: bool) -> String {
        let mut cmd = tokio::process::Command::new(bin());
        cmd.arg("scan")
            .arg("--config")
            .arg(self.config_path())
            .arg("--now")
            .arg(rfc3339(now))
            .current_dir(self.dir.path())
            .env("SLACK_BOT_TOKEN", "xoxb-integration")
            .env("TRACKER_CODEBASE_USER", "acme/bot")
            .env("TRACKER_CODEBASE_TOKEN", "codebase-api-key")
            .env_remove("SWITCHBOARD_TABLE");
        if dry_run {
            cmd.arg("--dry-run");
        }
        let out = cmd.output().await.expect("run switchboard scan");
        assert!(
            out.status.success(),
            "scan failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Posts made since the last call, as (channel, body).
    async fn take_posts(&self, seen: &mut usize) -> Vec<(String, Value)> {
        let all: Vec<(String, Value)> = self
            .slack
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|r| r.url.path() == "/chat.postMessage")
            .map(|r| {
                let body: Value = serde_json::from_slice(&r.body).expect("json");
                (body["channel"].as_str().unwrap_or("").to_owned(), body)
            })
            .collect();
        let new = all[*seen..].to_vec();
        *seen = all.len();
        new
    }
}

fn tickets_in(body: &Value) -> Vec<String> {
    let mut ids: Vec<String> = body["blocks"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|b| b["type"] == "actions")
        .map(|b| b["elements"][0]["value"].as_str().unwrap_or("").to_owned())
        .collect();
    ids.sort();
    ids
}

fn keys(ids: &[u32]) -> Vec<String> {
    let mut k: Vec<String> = ids.iter().map(|i| format!("codebase/web/{i}")).collect();
    k.sort();
    k
}

fn dm_to<'a>(posts: &'a [(String, Value)], channel: &str) -> Option<&'a Value> {
    posts.iter().find(|(c, _)| c == channel).map(|(_, b)| b)
}

#[tokio::test]
async fn digests_per_person_renotify_snooze_and_the_weekly_summary() {
    let now = switchboard_core::clock::now_secs();
    let world = World::new(&weekday_name(now)).await;
    let mut seen = 0;

    // First run: one digest each, the unmapped person named in the summary.
    world.scan(now, false).await;
    let posts = world.take_posts(&mut seen).await;
    let alice = dm_to(&posts, "D0ALICE").expect("alice's digest");
    assert_eq!(tickets_in(alice), keys(&[1, 2, 3, 7, 8, 19, 20]));
    let text = alice["blocks"].to_string();
    assert!(
        text.contains("in QA for"),
        "ticket 3 is overdue review: {text}"
    );
    assert!(
        text.contains("checkout &lt;form&gt; &amp; totals"),
        "summaries are escaped: {text}"
    );
    let bob = dm_to(&posts, "D0BOB").expect("bob's digest");
    assert_eq!(tickets_in(bob), keys(&[9, 10, 11, 12, 13, 14]));
    let dave = dm_to(&posts, "D0DAVE").expect("dave, found by e-mail");
    assert_eq!(tickets_in(dave), keys(&[18]));
    let summary = dm_to(&posts, "C0SUMMARY").expect("the summary on its day");
    let text = summary["blocks"].to_string();
    assert!(text.contains("16 stale, 1 overdue in review"), "{text}");
    assert!(
        text.contains("carol"),
        "the unmapped person is listed: {text}"
    );
    assert_eq!(posts.len(), 4, "three digests and one summary");

    // Within the renotify window nothing is sent again, and the summary
    // went out once this week.
    world.scan(now + 3600, false).await;
    assert!(world.take_posts(&mut seen).await.is_empty());

    // Alice snoozes ticket 1 through a signed interaction to `serve`.
    let served = Served::start(&std::fs::read_to_string(world.config_path()).expect("config"));
    let status = served.press("U0ALICE", "sb_snooze", "codebase/web/1").await;
    assert_eq!(status, 200);
    drop(served);

    // Two days on: past the renotify window, still inside the snooze, and
    // not the summary's day.
    world.scan(now + 2 * DAY, false).await;
    let posts = world.take_posts(&mut seen).await;
    let alice = dm_to(&posts, "D0ALICE").expect("alice again");
    assert_eq!(
        tickets_in(alice),
        keys(&[2, 3, 7, 8, 19, 20]),
        "ticket 1 is snoozed"
    );
    assert!(
        dm_to(&posts, "C0SUMMARY").is_none(),
        "not the summary's day"
    );

    // A week on, it is the summary's day again.
    world.scan(now + 7 * DAY, false).await;
    let posts = world.take_posts(&mut seen).await;
    assert!(dm_to(&posts, "C0SUMMARY").is_some(), "next week's summary");

    // The pages ended at Codebase's 404 and the empty project's `[]`.
    let reads: Vec<String> = world
        .codebase
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| r.url.to_string())
        .collect();
    assert!(
        reads
            .iter()
            .any(|u| u.contains("/web/tickets.json") && u.contains("page=2"))
    );
    assert!(reads.iter().any(|u| u.contains("/api/tickets.json")));
}

#[tokio::test]
async fn a_dry_run_prints_what_it_would_send_and_sends_nothing() {
    let now = switchboard_core::clock::now_secs();
    let world = World::new(&weekday_name(now)).await;
    let out = world.scan(now, true).await;
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    let to_alice = lines.iter().filter(|l| l["to"] == "U0ALICE").count();
    assert_eq!(to_alice, 7);
    let review = lines
        .iter()
        .find(|l| l["ticket"] == "#3")
        .expect("ticket 3");
    assert_eq!(review["reason"]["reason"], "review");
    assert_eq!(review["reason"]["status"], "QA");
    assert!(lines.iter().any(|l| l["summary_to"] == "C0SUMMARY"));
    let posts = world
        .slack
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.url.path() == "/chat.postMessage")
        .count();
    assert_eq!(posts, 0, "a dry run sends nothing");
    // And it wrote nothing: a real run afterwards still sends everything.
    world.scan(now, false).await;
    let mut seen = 0;
    assert_eq!(world.take_posts(&mut seen).await.len(), 4);
    assert!(Path::new(&world.dir.path().join("state.jsonl")).exists());
}
