//! The local runner for `switchboard serve`: spawns `switchboard-worker`
//! as a child process with the job in its environment.

use std::path::PathBuf;

use anyhow::Context as _;
use async_trait::async_trait;

use super::{JOB_VAR, JobRunner, JobSpec, StartError};

#[derive(Debug, Clone)]
pub struct LocalRunner {
    program: PathBuf,
    env: Vec<(String, String)>,
}

impl LocalRunner {
    /// `env` is added to the worker's environment (config and state paths).
    pub fn new(program: PathBuf, env: Vec<(String, String)>) -> Self {
        Self { program, env }
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
        cmd.env(JOB_VAR, spec.to_json())
            .envs(self.env.iter().map(|(k, v)| (k, v)))
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
