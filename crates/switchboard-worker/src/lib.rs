//! The worker: runs one long job (a Jenkins build to follow, a configured
//! command) and reports to Slack, keeping the job record current.

mod reporter;
mod start;

pub use reporter::Reporter;
pub use start::run_from_env;

use std::process::Stdio;
use std::time::Duration;

use anyhow::Context as _;
use switchboard_core::ci::{self, CiServer, WaitError};
use switchboard_core::config::{Config, JOB_BASE_ENV};
use switchboard_core::jobs::{JobRecord, JobSpec, JobStatus, JobStore, Work};
use switchboard_core::secrets::{Secrets, scrub};
use switchboard_core::slack::escape;
use switchboard_core::state::StateStore;
use switchboard_trackers::Services;
use switchboard_trackers::bench::set_bench_link;
use tokio::io::AsyncReadExt as _;

/// How much of a command's output is kept for the report.
const OUTPUT_TAIL: usize = 1500;

/// Everything a job needs, borrowed from the process's runtime.
pub struct Context<'a> {
    pub config: &'a Config,
    pub store: &'a dyn StateStore,
    /// Slack, and the trackers' workflow clients (for bench links).
    pub services: &'a Services,
    pub ci: Option<&'a dyn CiServer>,
    /// Every credential the process holds, scrubbed from what is posted.
    pub secrets: &'a Secrets,
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
            let mut r = JobRecord::new(
                spec.id.as_str(),
                "job",
                "",
                spec.requested_by.as_str(),
                spec.channel.as_str(),
            );
            r.sk.clone_from(&spec.record_sk);
            r.status = JobStatus::Running;
            jobs.save(&r).await.context("marking the job running")?;
            r
        }
    };
    let mut reporter = Reporter::new(
        ctx.services.chat().as_ref(),
        spec,
        record.response_posts,
        record.created_at,
    )
    .live(ctx.store, &record);
    reporter.show(&record).await;

    let short = spec.id.short();
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
    match set_bench_link(ctx.config, ctx.services, issue, url).await {
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
mod tests;
