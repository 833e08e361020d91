use super::*;
use switchboard_core::fakes::{MemoryStore, RecordingRunner};
use switchboard_core::jobs::JobStore;
use switchboard_core::secrets::Secret;
use switchboard_core::slack::verify::signed_headers;

const SECRET: &str = "test-signing-secret";

fn dispatcher(config: &str, runner: Arc<RecordingRunner>) -> (Arc<Dispatcher>, Arc<MemoryStore>) {
    let store = Arc::new(MemoryStore::new());
    let config = Config::parse(config, "test").expect("config");
    let secrets = Secrets {
        slack_signing_secret: Some(Secret::new(SECRET)),
        ..Secrets::default()
    };
    let d = Dispatcher::new(
        LiveConfig::fixed(config),
        secrets,
        store.clone(),
        runner,
        Http::lazy(),
    );
    (Arc::new(d), store)
}

fn signed(text: &str, user: &str, channel: &str) -> (http::HeaderMap, Vec<u8>) {
    let body = serde_urlencoded::to_string([
        ("team_id", "T1"),
        ("user_id", user),
        ("channel_id", channel),
        ("command", "/example"),
        ("text", text),
        ("response_url", "https://hooks.slack.com/commands/T1/1/abc"),
    ])
    .expect("form");
    let h = signed_headers(&Secret::new(SECRET), body.as_bytes());
    (h, body.into_bytes())
}

fn reply_text(r: &Reply) -> (String, String) {
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json reply");
    (
        v["response_type"].as_str().unwrap_or_default().to_owned(),
        v["text"].as_str().unwrap_or_default().to_owned(),
    )
}

const CONFIG: &str = r#"
clients = ["acme"]
[jobs.backup]
command = ["backup-db", "{client}", "--by={user}"]
[commands.backup]
allow_users = ["UANN"]
[commands.jobs]
public = true
"#;

#[tokio::test]
async fn commands_answered_inline_never_build_the_http_client() {
    let (d, _store) = dispatcher(CONFIG, Arc::new(RecordingRunner::default()));
    for text in ["help", "jobs", "help backup"] {
        let (h, b) = signed(text, "UANN", "CGEN");
        assert_eq!(d.handle_command(&h, &b).await.status, 200, "{text}");
    }
    assert!(
        !d.http.is_built(),
        "answering inline must not read the CA certificates"
    );
    // A job posts its live message to Slack, which needs the client.
    let (h, b) = signed("backup --client acme", "UANN", "CGEN");
    assert_eq!(d.handle_command(&h, &b).await.status, 200);
    assert!(d.http.is_built(), "the first outside call builds it");
}

#[tokio::test]
async fn a_backup_is_recorded_started_and_acknowledged() {
    let runner = Arc::new(RecordingRunner::default());
    let (d, store) = dispatcher(CONFIG, runner.clone());
    let (h, b) = signed("backup --client acme", "UANN", "CGEN");
    let r = d.handle_command(&h, &b).await;
    assert_eq!(r.status, 200);
    let (kind, text) = reply_text(&r);
    assert_eq!(kind, "in_channel");
    assert!(text.contains("started *backup*"), "{text}");
    let specs = runner.specs();
    assert_eq!(specs.len(), 1);
    assert!(
        matches!(&specs[0].work, Work::Command { argv, .. } if argv == &["backup-db", "acme", "--by=UANN"])
    );
    let jobs = JobStore::new(store.as_ref()).recent(5).await.expect("jobs");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Queued);
    let audit = audit::recent(store.as_ref(), 5).await.expect("audit");
    assert_eq!(
        (audit[0].command.as_str(), audit[0].outcome.as_str()),
        ("backup", "ok")
    );
}

#[tokio::test]
async fn user_mistakes_get_specific_ephemeral_replies() {
    let runner = Arc::new(RecordingRunner::default());
    let (d, store) = dispatcher(CONFIG, runner.clone());
    let check = |text: &'static str, user: &'static str, want: &'static str| {
        let d = &d;
        async move {
            let (h, b) = signed(text, user, "CGEN");
            let r = d.handle_command(&h, &b).await;
            let (kind, body) = reply_text(&r);
            assert_eq!((r.status, kind.as_str()), (200, "ephemeral"), "{text}");
            assert!(
                body.contains(want),
                "{text}: {body:?} should contain {want:?}"
            );
        }
    };
    check(
        "backup --client globex",
        "UANN",
        "don't know the client `globex`",
    )
    .await;
    check(
        "backup --client acme",
        "UBOB",
        "not allowed to run `backup`",
    )
    .await;
    check(
        "restore --client acme --from s1",
        "UANN",
        "not enabled for anyone",
    )
    .await;
    check(
        "deploy --client acme --branch main",
        "UANN",
        "not enabled for anyone",
    )
    .await;
    check("bakup --client acme", "UANN", "backup").await;
    check("backup", "UANN", "--client").await;
    check("jobs", "UBOB", "No jobs yet").await;
    assert!(runner.specs().is_empty(), "nothing ran");
    let outcomes: Vec<String> = audit::recent(store.as_ref(), 20)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.outcome)
        .collect();
    assert_eq!(outcomes.iter().filter(|o| *o == "denied").count(), 3);
    assert_eq!(outcomes.len(), 7);
}

#[tokio::test]
async fn a_job_that_cannot_start_says_so_and_is_marked_failed() {
    let runner = Arc::new(RecordingRunner {
        fail_with: Some("ECS said no".into()),
        ..RecordingRunner::default()
    });
    let (d, store) = dispatcher(CONFIG, runner);
    let (h, b) = signed("backup --client acme", "UANN", "CGEN");
    let (kind, text) = reply_text(&d.handle_command(&h, &b).await);
    assert_eq!(kind, "ephemeral");
    assert!(text.contains("couldn't start the backup job"), "{text}");
    assert!(
        !text.contains("ECS said no"),
        "internal detail stays in the logs"
    );
    let jobs = JobStore::new(store.as_ref()).recent(5).await.expect("jobs");
    assert_eq!(jobs[0].status, JobStatus::Failed);
}

#[tokio::test]
async fn a_job_whose_start_answer_is_lost_may_have_started_and_jobs_settles_it() {
    let runner = Arc::new(RecordingRunner {
        answer_lost: true,
        ..RecordingRunner::default()
    });
    let (d, store) = dispatcher(CONFIG, runner.clone());
    let (h, b) = signed("backup --client acme", "UANN", "CGEN");
    let (kind, text) = reply_text(&d.handle_command(&h, &b).await);
    assert_eq!(
        kind, "in_channel",
        "everyone should know before retyping it"
    );
    assert!(
        text.contains("may have started") && !text.contains("Nothing ran"),
        "{text}"
    );
    assert_eq!(runner.specs().len(), 1, "the runner did start it");
    let jobs = JobStore::new(store.as_ref()).recent(5).await.expect("jobs");
    assert_eq!(jobs[0].status, JobStatus::Unknown);

    // `jobs` finds the worker by the job id and settles the record.
    let (h, b) = signed("jobs", "UANN", "CGEN");
    let (_, listed) = reply_text(&d.handle_command(&h, &b).await);
    assert!(listed.contains("running"), "{listed}");
    let jobs = JobStore::new(store.as_ref()).recent(5).await.expect("jobs");
    assert_eq!(jobs[0].status, JobStatus::Running);
    assert!(jobs[0].detail.contains("fake task"), "{}", jobs[0].detail);
}

#[tokio::test]
async fn a_queued_deploy_whose_worker_cannot_start_is_never_retried_blindly() {
    use wiremock::matchers::path;
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let jenkins = MockServer::start().await;
    let queue = format!("{}/queue/item/9/", jenkins.uri());
    Mock::given(path("/job/deploy/buildWithParameters"))
        .respond_with(ResponseTemplate::new(201).insert_header("Location", queue.as_str()))
        .expect(1)
        .mount(&jenkins)
        .await;
    let config = format!(
        "[jenkins]\nurl = \"{}\"\njob = \"deploy\"\n[commands.deploy]\nallow_users = [\"UANN\"]\n",
        jenkins.uri()
    );
    let runner = Arc::new(RecordingRunner {
        fail_with: Some("ECS said no".into()),
        ..RecordingRunner::default()
    });
    let (d, store) = dispatcher(&config, runner);
    let (h, b) = signed("deploy --client acme --branch main", "UANN", "CGEN");
    let (kind, text) = reply_text(&d.handle_command(&h, &b).await);
    assert_eq!(kind, "ephemeral");
    assert!(
        text.contains("Don't run it again") && text.contains(&queue),
        "{text}"
    );
    let jobs = JobStore::new(store.as_ref()).recent(5).await.expect("jobs");
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].status, JobStatus::Failed);
    assert_eq!(jobs[0].link.as_deref(), Some(queue.as_str()));
}

#[tokio::test]
async fn bad_signatures_and_forms_are_refused_before_anything_runs() {
    let runner = Arc::new(RecordingRunner::default());
    let (d, store) = dispatcher(CONFIG, runner.clone());
    let (mut h, b) = signed("backup --client acme", "UANN", "CGEN");
    let mut tampered = b.clone();
    tampered.extend_from_slice(b"&x=1");
    assert_eq!(d.handle_command(&h, &tampered).await.status, 401);
    h.remove("x-slack-signature");
    assert_eq!(d.handle_command(&h, &b).await.status, 401);
    let garbage = b"\xff\xfe not a form";
    let h2 = signed_headers(&Secret::new(SECRET), garbage);
    assert_eq!(d.handle_command(&h2, garbage).await.status, 400);
    assert!(runner.specs().is_empty());
    assert!(
        audit::recent(store.as_ref(), 5)
            .await
            .expect("audit")
            .is_empty()
    );
}

#[tokio::test]
async fn without_a_signing_secret_nothing_is_accepted() {
    let (mut d, _) = dispatcher(CONFIG, Arc::new(RecordingRunner::default()));
    Arc::get_mut(&mut d)
        .expect("the only handle")
        .secrets
        .slack_signing_secret = None;
    let (h, b) = signed("help", "UANN", "CGEN");
    assert_eq!(d.handle_command(&h, &b).await.status, 500);
}
