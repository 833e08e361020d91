//! The local runner for `switchboard serve`: spawns `switchboard-worker`
//! as a child process with the job in its environment.

use std::path::PathBuf;

use anyhow::Context as _;
use async_trait::async_trait;

use super::{JOB_VAR, JobRunner, JobSpec, StartError};
use crate::config::JOB_BASE_ENV;
use crate::secrets::TRACKER_PREFIX;

#[derive(Debug, Clone)]
pub struct LocalRunner {
    program: PathBuf,
    env: Vec<(String, String)>,
    pass: Vec<String>,
}

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
        Self { program, env, pass }
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

    /// Finds `switchboard-worker`: `SWITCHBOARD_WORKER_BIN`, then beside the
    /// running executable (where cargo puts it), then `PATH`.
    pub fn locate_worker() -> PathBuf {
        if let Ok(p) = std::env::var("SWITCHBOARD_WORKER_BIN") {
            return PathBuf::from(p);
        }
        let name = format!("switchboard-worker{}", std::env::consts::EXE_SUFFIX);
        if let Some(beside) = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent().map(|d| d.join(&name)))
            .filter(|p| p.is_file())
        {
            return beside;
        }
        PathBuf::from(name)
    }
}

#[async_trait]
impl JobRunner for LocalRunner {
    async fn start(&self, spec: &JobSpec) -> Result<String, StartError> {
        let mut cmd = tokio::process::Command::new(&self.program);
        cmd.env_clear()
            .envs(self.worker_env(std::env::vars()))
            .env(JOB_VAR, spec.to_json())
            .stdin(std::process::Stdio::null());
        let mut child = cmd.spawn().with_context(|| {
            format!(
                "starting {} (build it with `cargo build`)",
                self.program.display()
            )
        })?;
        let pid = child.id().unwrap_or_default();
        // Reap the child when it exits so it does not linger as a zombie.
        tokio::spawn(async move {
            match child.wait().await {
                Ok(status) if !status.success() => {
                    tracing::warn!(pid, %status, "worker exited with failure")
                }
                Err(e) => tracing::warn!(pid, error = %e, "waiting for worker"),
                Ok(_) => {}
            }
        });
        Ok(format!("local process {pid}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worker_gets_only_what_it_needs() {
        let runner = LocalRunner::new(
            PathBuf::from("worker"),
            vec![("SWITCHBOARD_CONFIG".into(), "/c.toml".into())],
            vec!["PGPASSWORD".into()],
        );
        // Each variable, and whether the worker is given it.
        let cases = [
            ("PATH", true),
            ("RUST_LOG", true),
            ("SLACK_BOT_TOKEN", true),
            ("TRACKER_JIRA_TOKEN", true),
            ("PGPASSWORD", true),
            ("SLACK_SIGNING_SECRET", false),
            ("GITHUB_WEBHOOK_SECRET", false),
            ("AWS_SECRET_ACCESS_KEY", false),
            ("OTHER", false),
        ];
        let vars = cases.map(|(k, _)| (k.to_owned(), "v".to_owned()));
        let given: Vec<String> = runner
            .worker_env(vars.into_iter())
            .into_iter()
            .map(|(k, _)| k)
            .collect();
        let mut want: Vec<&str> = cases.iter().filter(|c| c.1).map(|c| c.0).collect();
        want.push("SWITCHBOARD_CONFIG");
        assert_eq!(given, want);
    }
}
