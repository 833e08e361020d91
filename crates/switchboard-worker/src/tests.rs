use std::sync::Arc;

use super::*;
use switchboard_core::fakes::{MemoryStore, RecordingChat};
use switchboard_core::services::Services as CoreServices;

fn spec(work: Work, record_sk: &str) -> JobSpec {
    JobSpec {
        id: "0123456789abcdef".parse().expect("job id"),
        record_sk: record_sk.into(),
        requested_by: "UANN".parse().expect("user id"),
        channel: "COPS".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/commands/T1/1/x"
            .parse()
            .expect("response_url"),
        work,
    }
}

/// Runs a `backup` job whose command is `sh -c script` to its end.
async fn run_sh(
    config: &str,
    secrets: &Secrets,
    script: &str,
) -> (JobStatus, Arc<RecordingChat>, MemoryStore, String) {
    let store = MemoryStore::new();
    let chat = Arc::new(RecordingChat::default());
    let services = Services::new(CoreServices::new(chat.clone()));
    let config = Config::parse(config, "t").expect("config");
    let record = JobRecord::new("0123456789abcdef", "backup", "acme", "UANN", "COPS");
    JobStore::new(&store).save(&record).await.expect("save");
    let ctx = Context {
        config: &config,
        store: &store,
        services: &services,
        ci: None,
        secrets,
    };
    let work = Work::Command {
        name: "backup".into(),
        argv: vec!["sh".into(), "-c".into(), script.into()],
    };
    let status = run(&ctx, &spec(work, &record.sk)).await.expect("ran");
    (status, chat, store, record.sk)
}

#[tokio::test]
async fn a_command_job_reports_and_records_its_result() {
    let (status, chat, store, sk) = run_sh(
        "",
        &Secrets::default(),
        "echo 'dumped 3 tables'; echo warn >&2",
    )
    .await;
    assert_eq!(status, JobStatus::Succeeded);
    let sent = chat.messages();
    assert_eq!(sent.len(), 2, "running + result: {sent:?}");
    assert!(
        sent.iter()
            .all(|(to, _)| to.starts_with("https://hooks.slack.com"))
    );
    assert!(sent[1].1.text.contains("succeeded"));
    assert!(
        !sent[1].1.text.contains("dumped 3 tables"),
        "output stays out of the channel on success"
    );
    let saved = JobStore::new(&store)
        .load(&sk)
        .await
        .expect("load")
        .expect("record");
    assert_eq!(
        (saved.status, saved.response_posts),
        (JobStatus::Succeeded, 2)
    );
}

fn base() -> Vec<(String, String)> {
    job_env(&[], std::env::vars())
}

#[test]
fn a_job_gets_the_base_and_its_named_variables_only() {
    let vars = [
        ("PATH", "/bin"),
        ("HOME", "/h"),
        ("PGPASSWORD", "pg"),
        ("SLACK_BOT_TOKEN", "xoxb"),
        ("AWS_SECRET_ACCESS_KEY", "aws"),
        ("OTHER", "o"),
    ]
    .map(|(k, v)| (k.to_owned(), v.to_owned()));
    // A credential named by a config that escaped the checker is still
    // not passed.
    let names = ["PGPASSWORD".to_owned(), "SLACK_BOT_TOKEN".to_owned()];
    let env = job_env(&names, vars.into_iter());
    let names: Vec<&str> = env.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["PATH", "HOME", "PGPASSWORD"]);
}

#[tokio::test]
async fn a_job_that_prints_its_environment_shows_no_secret() {
    let secrets = Secrets::from_pairs([
        ("SLACK_BOT_TOKEN".to_owned(), "xoxb-worker-token".to_owned()),
        (
            "TRACKER_JIRA_TOKEN".to_owned(),
            "jira-worker-token".to_owned(),
        ),
    ]);
    // Cargo gives every test process CARGO_PKG_NAME, so it stands in for
    // a job's own secret such as PGPASSWORD. The job fails so its output
    // is posted; it prints its environment and, as a careless script
    // might, the bot token it was never given.
    let (status, chat, _, _) = run_sh(
        "[jobs.backup]\ncommand = [\"env\"]\nenv = [\"CARGO_PKG_NAME\"]\n",
        &secrets,
        "env; echo leaked xoxb-worker-token; exit 1",
    )
    .await;
    assert_eq!(status, JobStatus::Failed);
    let posted: String = chat
        .messages()
        .iter()
        .map(|(_, m)| m.text.clone())
        .collect();
    assert!(
        posted.contains("PATH=") && posted.contains("CARGO_PKG_NAME=***"),
        "{posted}"
    );
    assert!(posted.contains("leaked ***"), "{posted}");
    for never in [
        "xoxb-worker-token",
        env!("CARGO_PKG_NAME"),
        "CARGO_MANIFEST_DIR",
    ] {
        assert!(!posted.contains(never), "{never} in {posted}");
    }
}

#[tokio::test]
async fn failures_and_timeouts_are_reported_as_failures() {
    let (status, detail, _) = run_command(
        &["sh".into(), "-c".into(), "echo boom; exit 3".into()],
        &base(),
        Duration::from_secs(5),
    )
    .await;
    assert_eq!(status, JobStatus::Failed);
    assert!(
        detail.contains("exit status: 3") && detail.contains("boom"),
        "{detail}"
    );
    let (status, detail, _) = run_command(
        &["sleep".into(), "5".into()],
        &base(),
        Duration::from_millis(100),
    )
    .await;
    assert_eq!(status, JobStatus::Failed);
    assert!(detail.contains("stopped"), "{detail}");
    let (status, detail, _) = run_command(
        &["/no/such/program".into()],
        &base(),
        Duration::from_secs(1),
    )
    .await;
    assert_eq!(status, JobStatus::Failed);
    assert!(detail.contains("could not start"), "{detail}");
}

#[tokio::test]
async fn huge_output_is_bounded() {
    let (status, detail, _) = run_command(
        &[
            "sh".into(),
            "-c".into(),
            "yes 0123456789 | head -c 5000000; echo; echo the-end".into(),
        ],
        &base(),
        Duration::from_secs(20),
    )
    .await;
    assert_eq!(status, JobStatus::Succeeded);
    assert!(
        detail.ends_with("the-end") && detail.len() <= OUTPUT_TAIL + 4,
        "{}",
        detail.len()
    );
}

/// A Jenkins whose search finds `found`; every build ends in SUCCESS.
struct Searched(Option<ci::Found>);

#[async_trait::async_trait]
impl CiServer for Searched {
    async fn trigger(&self, _: &str, _: &[(String, String)]) -> Result<ci::QueueItem, ci::CiError> {
        Err(ci::CiError::Status(500))
    }
    async fn queue_state(&self, _: &ci::QueueItem) -> Result<ci::QueueState, ci::CiError> {
        Ok(ci::QueueState::Started(ci::Build {
            number: 7,
            url: "https://ci.example/job/deploy/7/".into(),
        }))
    }
    async fn build_state(&self, _: &ci::Build) -> Result<ci::BuildState, ci::CiError> {
        Ok(ci::BuildState::Finished(ci::Finished {
            result: "SUCCESS".into(),
            description: None,
        }))
    }
    async fn find(
        &self,
        _: &str,
        _: &[(String, String)],
        _: i64,
    ) -> Result<Option<ci::Found>, ci::CiError> {
        Ok(self.0.clone())
    }
    async fn cancel(&self, _: &str) -> Result<ci::CancelOutcome, ci::CiError> {
        Ok(ci::CancelOutcome::AlreadyFinished)
    }
}

async fn find_and_follow(found: Option<ci::Found>) -> (JobStatus, JobRecord, Vec<String>) {
    let store = MemoryStore::new();
    let chat = Arc::new(RecordingChat::default());
    let services = Services::new(CoreServices::new(chat.clone()));
    let config = Config::parse(
        "[jenkins]\nurl = \"https://ci.example\"\njob = \"deploy\"\npoll_seconds = 1\n",
        "t",
    )
    .expect("config");
    let mut record = JobRecord::new("0123456789abcdef", "deploy", "acme main", "UANN", "COPS");
    record.status = JobStatus::Unknown;
    JobStore::new(&store).save(&record).await.expect("save");
    let ci = Searched(found);
    let secrets = Secrets::default();
    let ctx = Context {
        config: &config,
        secrets: &secrets,
        store: &store,
        services: &services,
        ci: Some(&ci),
    };
    let work = Work::JenkinsFind {
        job: "deploy".into(),
        params: vec![("CLIENT".into(), "acme".into())],
        since_ms: 0,
        look_secs: 1,
        summary: "acme main".into(),
        issue: None,
    };
    let status = run(&ctx, &spec(work, &record.sk)).await.expect("ran");
    let saved = JobStore::new(&store)
        .load(&record.sk)
        .await
        .expect("load")
        .expect("record");
    let texts = chat.messages().into_iter().map(|(_, m)| m.text).collect();
    (status, saved, texts)
}

#[tokio::test]
async fn a_deploy_whose_trigger_got_no_answer_is_found_and_followed() {
    let queued = ci::Found::Queued(ci::QueueItem {
        url: "https://ci.example/queue/item/8/".into(),
    });
    let (status, saved, texts) = find_and_follow(Some(queued)).await;
    assert_eq!(
        (status, saved.status),
        (JobStatus::Succeeded, JobStatus::Succeeded)
    );
    assert!(
        texts.iter().any(|t| t.contains("found the deploy")),
        "{texts:?}"
    );
    assert!(
        texts.last().is_some_and(|t| t.contains("succeeded")),
        "{texts:?}"
    );
}

#[tokio::test]
async fn a_deploy_jenkins_never_queued_is_said_to_have_deployed_nothing() {
    let (status, saved, texts) = find_and_follow(None).await;
    assert_eq!(
        (status, saved.status),
        (JobStatus::Failed, JobStatus::Failed)
    );
    assert!(
        saved.detail.contains("nothing was deployed"),
        "{}",
        saved.detail
    );
    assert!(
        texts
            .last()
            .is_some_and(|t| t.contains("safe to run it again")),
        "{texts:?}"
    );
}

#[test]
fn tails_keep_the_end_on_a_char_boundary() {
    assert_eq!(tail("short", 10), "short");
    assert_eq!(tail("ééééé", 3), "…é");
}
