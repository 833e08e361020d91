//! The local runner for `switchboard serve`: spawns `switchboard-worker`
//! as a child process with the job in its environment, in a process group
//! of its own so that stopping a job stops what the worker started too.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::Context as _;
use async_trait::async_trait;

use super::{JOB_VAR, JobRunner, JobSpec, StartError};
use crate::config::JOB_BASE_ENV;
use crate::secrets::TRACKER_PREFIX;

#[derive(Debug, Clone)]
pub struct LocalRunner {
    program: PathBuf,
    args: Vec<String>,
    env: Vec<(String, String)>,
    pass: Vec<String>,
    /// The pid of each running job's worker, which is also its process
    /// group id; the task that reaps a worker removes it.
    running: Arc<Mutex<HashMap<String, u32>>>,
}

/// How long a stopped worker has to exit on SIGTERM before its group is
/// killed outright.
const STOP_GRACE: Duration = Duration::from_secs(3);

/// What the worker itself needs of `serve`'s environment besides the base:
/// its logging, the bot token it posts with, Jenkins for deploys and the
/// trackers for bench links. Never the signing or webhook secrets.
fn worker_needs(name: &str) -> bool {
    JOB_BASE_ENV.contains(&name)
        || matches!(
            name,
            "RUST_LOG" | "SLACK_BOT_TOKEN" | "JENKINS_USER" | "JENKINS_TOKEN"
        )
        || name.starts_with(TRACKER_PREFIX)
}

impl LocalRunner {
    /// `env` is added to the worker's environment (config and state paths);
    /// `pass` names what the jobs' configs hand on to their commands.
    pub fn new(program: PathBuf, env: Vec<(String, String)>, pass: Vec<String>) -> Self {
        Self {
            program,
            args: Vec::new(),
            env,
            pass,
            running: Arc::default(),
        }
    }

    /// Arguments the worker program is started with (`worker`, when it is
    /// the `switchboard` CLI itself).
    #[must_use]
    pub fn with_args(mut self, args: Vec<String>) -> Self {
        self.args = args;
        self
    }

    /// Waits up to `limit` for the reaper to see worker `pid` exit.
    async fn await_exit(&self, job_id: &str, pid: u32, limit: Duration) {
        let deadline = tokio::time::Instant::now() + limit;
        while self.worker_of(job_id) == Some(pid) && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn worker_of(&self, job_id: &str) -> Option<u32> {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(job_id)
            .copied()
    }

    /// The worker's environment: only what it needs and what jobs name,
    /// taken from `vars` (the process's environment).
    pub fn worker_env(
        &self,
        vars: impl Iterator<Item = (String, String)>,
    ) -> Vec<(String, String)> {
        vars.filter(|(k, _)| worker_needs(k) || self.pass.contains(k))
            .chain(self.env.iter().cloned())
            .collect()
    }

    /// How to start the worker, program and arguments:
    /// `SWITCHBOARD_WORKER_BIN`, then `switchboard-worker` beside the running
    /// executable (where cargo puts it), else the running `switchboard`
    /// itself as `switchboard worker`, the same code, so a checkout where
    /// only the CLI is built (`cargo test`) still runs jobs.
    pub fn locate_worker() -> (PathBuf, Vec<String>) {
        if let Ok(p) = std::env::var("SWITCHBOARD_WORKER_BIN") {
            return (PathBuf::from(p), Vec::new());
        }
        let name = format!("switchboard-worker{}", std::env::consts::EXE_SUFFIX);
        let exe = std::env::current_exe().ok();
        if let Some(beside) = exe
            .as_ref()
            .and_then(|exe| exe.parent().map(|d| d.join(&name)))
            .filter(|p| p.is_file())
        {
            return (beside, Vec::new());
        }
        match exe {
            Some(exe) => (exe, vec!["worker".to_owned()]),
            None => (PathBuf::from(name), Vec::new()),
        }
    }
}

#[async_trait]
impl JobRunner for LocalRunner {
    async fn start(&self, spec: &JobSpec) -> Result<String, StartError> {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.args(&self.args)
            .env_clear()
            .envs(self.worker_env(std::env::vars()))
            .env(JOB_VAR, spec.to_json())
            .stdin(std::process::Stdio::null())
            // Its own group, so one signal reaches whatever the worker runs.
            .process_group(0);
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "starting {} (build it with `cargo build`)",
                self.program.display()
            )
        })?;
        let pid = child.id().unwrap_or_default();
        if pid != 0 {
            self.running
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(spec.id.to_string(), pid);
        }
        let running = Arc::clone(&self.running);
        let job_id = spec.id.to_string();
        // Reap the child when it exits so it does not linger as a zombie.
        tokio::spawn(async move {
            match child.wait().await {
                Ok(status) if !status.success() => {
                    tracing::warn!(pid, %status, "worker exited with failure")
                }
                Err(e) => tracing::warn!(pid, error = %e, "waiting for worker"),
                Ok(_) => {}
            }
            let mut running = running.lock().unwrap_or_else(PoisonError::into_inner);
            // A later start of the same job id keeps its own entry.
            if running.get(&job_id) == Some(&pid) {
                running.remove(&job_id);
            }
        });
        Ok(format!("local process {pid}"))
    }

    async fn stop(&self, job_id: &str) -> anyhow::Result<bool> {
        let Some(pid) = self.worker_of(job_id) else {
            return Ok(false);
        };
        signal_group("TERM", pid).await?;
        self.await_exit(job_id, pid, STOP_GRACE).await;
        // Whatever ignored SIGTERM, the worker or a child it started, is
        // killed; the group is empty and the signal finds no one otherwise.
        if let Err(e) = signal_group("KILL", pid).await {
            tracing::debug!(pid, error = %e, "nothing left to kill");
        }
        // Once reaped, the job no longer counts as running.
        self.await_exit(job_id, pid, Duration::from_secs(1)).await;
        Ok(true)
    }
}

/// Sends `signal` to process group `pgid` with kill(1), as the workspace
/// allows no unsafe code for kill(2).
async fn signal_group(signal: &str, pgid: u32) -> anyhow::Result<()> {
    let out = tokio::process::Command::new("kill")
        .arg(format!("-{signal}"))
        .arg("--")
        .arg(format!("-{pgid}"))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .context("running kill")?;
    if !out.status.success() {
        anyhow::bail!(
            "kill -{signal} -{pgid}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests;
