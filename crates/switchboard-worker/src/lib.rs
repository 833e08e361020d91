//! The worker: runs one long job (a Jenkins build to follow, a configured
//! command) and reports to Slack, keeping the job record current.

mod reporter;
mod start;

pub use reporter::Reporter;
pub use start::run_from_env;

use std::process::Stdio;
use std::time::Duration;

use std::sync::Arc;

use anyhow::Context as _;
use switchboard_core::ci::{self, CiServer, WaitError};
use switchboard_core::config::{Config, JOB_BASE_ENV};
use switchboard_core::ids::short_job_id;
use switchboard_core::jobs::{JobRecord, JobSpec, JobStatus, JobStore, Work};
use switchboard_core::secrets::{Secrets, scrub};
use switchboard_core::slack::{Chat, escape};
use switchboard_core::state::StateStore;
use switchboard_trackers::Workflow;
use switchboard_trackers::bench::set_bench_link;
use tokio::io::AsyncReadExt as _;

/// How much of a command's output is kept for the report.
const OUTPUT_TAIL: usize = 1500;

/// Everything a job needs, borrowed from the process's runtime.
pub struct Context<'a> {
    pub config: &'a Config,
    pub store: &'a dyn StateStore,
    pub chat: &'a dyn Chat,
    pub ci: Option<&'a dyn CiServer>,
    /// Every credential the process holds, scrubbed from what is posted.
    pub secrets: &'a Secrets,
    /// The workflow client of a tracker, by name (for bench links).
    pub workflow_of: &'a dyn Fn(&str) -> Option<Arc<dyn Workflow>>,
}

/// Runs a job to its end; the returned status is also in the record.
pub async fn run(ctx: &Context<'_>, spec: &JobSpec) -> anyhow::Result<JobStatus> {
    let jobs = JobStore::new(ctx.store);
    // Running is written by compare-and-set, so a job cancelled before its
    // worker got going does not start at all.
    let started = jobs
        .update(&spec.record_sk, |r| {
            if r.status.is_finished() {
                return false;
            }
            r.status = JobStatus::Running;
            true
        })
        .await
        .context("marking the job running")?;
    let mut record = match started {
        Some((r, true)) => r,
        Some((r, false)) => {
            tracing::info!(job = %spec.id, status = ?r.status, "the job had ended before it started");
            return Ok(r.status);
        }
        None => {
            tracing::warn!(job = %spec.id, "job record missing; recreating it");
            let mut r = JobRecord::new(&spec.id, "job", "", &spec.requested_by, &spec.channel);
            r.sk.clone_from(&spec.record_sk);
            r.status = JobStatus::Running;
            jobs.save(&r).await.context("marking the job running")?;
            r
        }
    };
    let mut reporter = Reporter::new(ctx.chat, spec, record.response_posts, record.created_at)
        .live(ctx.store, &record);
    reporter.show(&record).await;

    let short = short_job_id(&spec.id);
    let (status, detail, link) = match &spec.work {
        Work::JenkinsBuild {
            queue_url,
            summary,
            issue,
        } => {
            let item = ci::QueueItem {
                url: queue_url.clone(),
            };
            follow_build(
                ctx,
                &mut reporter,
                short,
                ci::Found::Queued(item),
                summary,
                issue.as_deref(),
            )
            .await
        }
        Work::JenkinsFind {
            job,
            params,
            since_ms,
            look_secs,
            summary,
            issue,
        } => {
            let look = Duration::from_secs(*look_secs);
            match find_build(ctx, job, params, *since_ms, look).await {
                Ok(Some(found)) => {
                    reporter
                        .post(&format!(
                            "Job `{short}`: found the deploy in Jenkins; following it."
                        ))
                        .await;
                    follow_build(ctx, &mut reporter, short, found, summary, issue.as_deref()).await
                }
                Ok(None) => (
                    JobStatus::Failed,
                    format!(
                        "Jenkins shows no such build after {} s: nothing was deployed, \
                         and it is safe to run it again",
                        look.as_secs()
                    ),
                    None,
                ),
                Err(e) => (
                    JobStatus::Unknown,
                    format!(
                        "I could not ask Jenkins whether the deploy was queued ({e}); \
                         check Jenkins before running it again"
                    ),
                    None,
                ),
            }
        }
        Work::Command { name, argv } => {
            let template = ctx.config.jobs.get(name);
            let timeout = template.map_or(Duration::from_secs(1800), |t| {
                Duration::from_secs(t.timeout_minutes * 60)
            });
            let env = job_env(template.map_or(&[][..], |t| &t.env), std::env::vars());
            reporter
                .post(&format!("Job `{short}` ({name}) is running."))
                .await;
            let (status, detail, link) = run_command(argv, &env, timeout).await;
            // The job's own variables are secrets too (PGPASSWORD), so the
            // output is cleaned of them as well as of Switchboard's.
            let job_values = env
                .iter()
                .filter(|(k, _)| !JOB_BASE_ENV.contains(&k.as_str()))
                .map(|(_, v)| v.as_str());
            let detail = scrub(&detail, ctx.secrets.values().chain(job_values));
            (status, detail, link)
        }
    };

    // The last word is written by compare-and-set: a job cancelled
    // meanwhile stays cancelled, and its message already says so.
    let posts = reporter.posts_used();
    let settled = jobs
        .update(&spec.record_sk, |r| {
            if r.status.is_finished() {
                return false;
            }
            r.status = status;
            r.detail = detail.clone();
            if link.is_some() {
                r.link = link.clone();
            }
            r.response_posts = posts;
            true
        })
        .await
        .context("saving the job's result")?;
    match settled {
        Some((stored, true)) => record = stored,
        Some((stored, false)) => {
            tracing::info!(job = %spec.id, status = ?stored.status, "the job had already ended; its result is not recorded");
            return Ok(stored.status);
        }
        None => {
            record.status = status;
            record.detail = detail.clone();
            record.link = link.clone().or(record.link);
            jobs.save(&record)
                .await
                .context("saving the job's result")?;
        }
    }
    if reporter.is_live() && reporter.show(&record).await {
        return Ok(status);
    }
    let verdict = match status {
        JobStatus::Succeeded => "succeeded :white_check_mark:",
        JobStatus::Unknown => "ended with its outcome unknown :grey_question:",
        _ => "failed :x:",
    };
    let link_text = link.map(|l| format!(" <{l}|details>")).unwrap_or_default();
    let mut text = format!(
        "Job `{short}` ({} {}) {verdict}{link_text}",
        record.command,
        escape(&record.summary)
    );
    // Output can hold anything a tool prints (hosts, even credentials), so
    // the channel sees it only when it explains a failure.
    if status != JobStatus::Succeeded && !detail.is_empty() {
        text.push_str(&format!("\n```\n{}\n```", escape(&detail)));
    }
    reporter.post(&text).await;
    let posts = reporter.posts_used();
    jobs.update(&spec.record_sk, |r| {
        r.response_posts = posts;
        true
    })
    .await
    .context("saving the job's result")?;
    Ok(status)
}

async fn follow_build(
    ctx: &Context<'_>,
    reporter: &mut Reporter<'_>,
    short: &str,
    start: ci::Found,
    summary: &str,
    issue: Option<&str>,
) -> (JobStatus, String, Option<String>) {
    let (Some(ci), Some(jenkins)) = (ctx.ci, ctx.config.jenkins.as_ref()) else {
        return (
            JobStatus::Failed,
            "Jenkins is not configured for the worker".into(),
            None,
        );
    };
    let poll = Duration::from_secs(jenkins.poll_seconds);
    let deadline = tokio::time::Instant::now() + Duration::from_secs(jenkins.timeout_minutes * 60);
    let build = match start {
        ci::Found::Started(b) => b,
        ci::Found::Queued(item) => match ci::wait_for_start(ci, &item, poll, deadline).await {
            Ok(b) => b,
            Err(e) => return (JobStatus::Failed, describe_wait(&e), Some(item.url)),
        },
    };
    reporter
        .post(&format!(
            "Job `{short}`: Jenkins build <{}|#{}> for {} has started.",
            build.url,
            build.number,
            escape(summary)
        ))
        .await;
    match ci::wait_for_finish(ci, &build, poll, deadline).await {
        Ok(finished) if finished.result == "SUCCESS" => {
            if let (Some(issue), Some(url)) = (issue, finished.reported_url()) {
                link_bench(ctx, reporter, issue, &url).await;
            }
            (JobStatus::Succeeded, String::new(), Some(build.url))
        }
        Ok(finished) => (
            JobStatus::Failed,
            format!("Jenkins build #{} ended {}", build.number, finished.result),
            Some(build.url),
        ),
        Err(e) => (JobStatus::Failed, describe_wait(&e), Some(build.url)),
    }
}

/// Polls Jenkins for a build whose trigger got no answer, for `look`
/// (Jenkins' quiet period can keep a new item out of sight for seconds).
async fn find_build(
    ctx: &Context<'_>,
    job: &str,
    params: &[(String, String)],
    since_ms: i64,
    look: Duration,
) -> Result<Option<ci::Found>, ci::CiError> {
    let (Some(ci), Some(jenkins)) = (ctx.ci, ctx.config.jenkins.as_ref()) else {
        return Err(ci::CiError::NotConfigured);
    };
    let poll = Duration::from_secs(jenkins.poll_seconds.max(1)).min(look);
    let deadline = tokio::time::Instant::now() + look;
    let mut failures = 0;
    loop {
        match ci.find(job, params, since_ms).await {
            Ok(Some(found)) => return Ok(Some(found)),
            Ok(None) => {}
            // A passing fault is tried again; one that lasts is the answer.
            Err(e) if failures < 3 => {
                tracing::warn!(error = %e, "could not search Jenkins; trying again");
                failures += 1;
            }
            Err(e) => return Err(e),
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(poll).await;
    }
}

/// Writes the bench URL a deploy reported into its issue; the deploy has
/// succeeded either way, so a failure here is reported, not fatal.
async fn link_bench(ctx: &Context<'_>, reporter: &mut Reporter<'_>, issue: &str, url: &str) {
    match set_bench_link(ctx.config, ctx.workflow_of, issue, url).await {
        Ok(_) => {
            tracing::info!(issue, "bench link set");
            reporter
                .post(&format!(
                    "Test bench <{url}> linked to *{}*.",
                    escape(issue)
                ))
                .await;
        }
        Err(e) => {
            tracing::warn!(issue, error = %e, "could not link the bench");
            reporter
                .post(&format!(
                    "I couldn't link the test bench to *{}*: {e}.",
                    escape(issue)
                ))
                .await;
        }
    }
}

fn describe_wait(e: &WaitError) -> String {
    match e {
        WaitError::Ci(ci) => format!("lost track of the build: {ci}"),
        other => other.to_string(),
    }
}

/// A job's whole environment: `PATH`, `HOME`, `LANG` and the variables its
/// config names, taken from `vars`; credentials never reach a job.
pub fn job_env(
    names: &[String],
    vars: impl Iterator<Item = (String, String)>,
) -> Vec<(String, String)> {
    vars.filter(|(k, _)| {
        JOB_BASE_ENV.contains(&k.as_str())
            || (names.contains(k) && !switchboard_core::config::is_credential_var(k))
    })
    .collect()
}

/// Runs a configured program directly (no shell) in exactly `env`, with a
/// time limit, and keeps the tail of its output.
pub async fn run_command(
    argv: &[String],
    env: &[(String, String)],
    timeout: Duration,
) -> (JobStatus, String, Option<String>) {
    let Some((program, args)) = argv.split_first() else {
        return (JobStatus::Failed, "the job has no command".into(), None);
    };
    let child = tokio::process::Command::new(program)
        .args(args)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            return (
                JobStatus::Failed,
                format!("could not start {program}: {e}"),
                None,
            );
        }
    };
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let collect = async {
        let (mut buf, ebuf) = tokio::join!(read_tail(out.as_mut()), read_tail(err.as_mut()));
        let status = child.wait().await;
        buf.extend_from_slice(&ebuf);
        (status, buf)
    };
    match tokio::time::timeout(timeout, collect).await {
        Err(_) => (
            JobStatus::Failed,
            format!(
                "{program} ran longer than {} minutes and was stopped",
                timeout.as_secs() / 60
            ),
            None,
        ),
        Ok((Err(e), _)) => (
            JobStatus::Failed,
            format!("waiting for {program}: {e}"),
            None,
        ),
        Ok((Ok(status), output)) => {
            let text = String::from_utf8_lossy(&output);
            let tail = tail(text.trim_end(), OUTPUT_TAIL);
            if status.success() {
                (JobStatus::Succeeded, tail, None)
            } else {
                (
                    JobStatus::Failed,
                    format!("{program} exited with {status}\n{tail}")
                        .trim_end()
                        .to_owned(),
                    None,
                )
            }
        }
    }
}

/// Reads a stream to its end keeping only its last 64 KiB, so a chatty
/// job cannot fill the worker's memory.
async fn read_tail<R: tokio::io::AsyncRead + Unpin>(reader: Option<&mut R>) -> Vec<u8> {
    const KEEP: usize = 64 * 1024;
    let mut kept = Vec::new();
    let Some(reader) = reader else { return kept };
    let mut chunk = vec![0u8; 8192];
    loop {
        match reader.read(&mut chunk).await {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                kept.extend_from_slice(&chunk[..n]);
                if kept.len() > 2 * KEEP {
                    kept.drain(..kept.len() - KEEP);
                }
            }
        }
    }
}

fn tail(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut start = text.len() - max;
    while !text.is_char_boundary(start) {
        start += 1;
    }
    format!("…{}", &text[start..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_core::fakes::{MemoryStore, RecordingChat};

    fn spec(work: Work, record_sk: &str) -> JobSpec {
        JobSpec {
            id: "0123456789abcdef".into(),
            record_sk: record_sk.into(),
            requested_by: "UANN".into(),
            channel: "COPS".into(),
            response_url: "https://hooks.slack.com/commands/T1/1/x".into(),
            work,
        }
    }

    /// Runs a `backup` job whose command is `sh -c script` to its end.
    async fn run_sh(
        config: &str,
        secrets: &Secrets,
        script: &str,
    ) -> (JobStatus, RecordingChat, MemoryStore, String) {
        let store = MemoryStore::new();
        let chat = RecordingChat::default();
        let config = Config::parse(config, "t").expect("config");
        let record = JobRecord::new("0123456789abcdef", "backup", "acme", "UANN", "COPS");
        JobStore::new(&store).save(&record).await.expect("save");
        let none = |_: &str| None;
        let ctx = Context {
            config: &config,
            store: &store,
            chat: &chat,
            ci: None,
            secrets,
            workflow_of: &none,
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
        async fn trigger(
            &self,
            _: &str,
            _: &[(String, String)],
        ) -> Result<ci::QueueItem, ci::CiError> {
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
        let chat = RecordingChat::default();
        let config = Config::parse(
            "[jenkins]\nurl = \"https://ci.example\"\njob = \"deploy\"\npoll_seconds = 1\n",
            "t",
        )
        .expect("config");
        let mut record = JobRecord::new("0123456789abcdef", "deploy", "acme main", "UANN", "COPS");
        record.status = JobStatus::Unknown;
        JobStore::new(&store).save(&record).await.expect("save");
        let none = |_: &str| None;
        let ci = Searched(found);
        let secrets = Secrets::default();
        let ctx = Context {
            config: &config,
            secrets: &secrets,
            store: &store,
            chat: &chat,
            ci: Some(&ci),
            workflow_of: &none,
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
}
