//! Shared start-up: every binary builds its clients once, here, from the
//! environment, so each `main.rs` stays wiring only.
//!
//! On AWS (`SWITCHBOARD_TABLE` set): DynamoDB state, the config pushed to
//! the table, secrets from Secrets Manager, ECS for jobs. Locally: the file
//! store, a config file, secrets from the environment, child processes for
//! jobs.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;

use crate::config::Config;
use crate::jobs::{EcsRunner, EcsSettings, JobRunner, LocalRunner};
use crate::outbound::Http;
use crate::secrets::Secrets;
use crate::settings::LiveConfig;
use crate::slack::SlackWebApi;
use crate::state::{DynamoStore, FileStore, StateStore};

pub const TABLE_VAR: &str = "SWITCHBOARD_TABLE";
pub const CONFIG_VAR: &str = "SWITCHBOARD_CONFIG";
pub const STATE_VAR: &str = "SWITCHBOARD_STATE";

/// Everything a function needs, built once per process; clones share it.
#[derive(Clone)]
pub struct Runtime {
    pub config: LiveConfig,
    pub secrets: Secrets,
    pub store: Arc<dyn StateStore>,
    pub jobs: Arc<dyn JobRunner>,
    pub http: Http,
}

/// Where the local process keeps things.
#[derive(Debug, Clone)]
pub struct LocalPaths {
    pub config: PathBuf,
    pub state: PathBuf,
}

impl Runtime {
    /// Builds the runtime for a Lambda, the worker or a CLI command.
    pub async fn from_env() -> anyhow::Result<Self> {
        match std::env::var(TABLE_VAR) {
            Ok(table) if !table.is_empty() => Self::aws(table).await,
            _ => {
                let config_path = std::env::var(CONFIG_VAR).map(PathBuf::from).context(
                    "set SWITCHBOARD_CONFIG to a config file (or SWITCHBOARD_TABLE on AWS)",
                )?;
                let config = Config::load(&config_path)?;
                let state = std::env::var(STATE_VAR)
                    .map(PathBuf::from)
                    .unwrap_or_else(|_| config.state.path.clone());
                Self::local(
                    config,
                    &LocalPaths {
                        config: config_path,
                        state,
                    },
                    Secrets::from_env(),
                )
            }
        }
    }

    async fn aws(table: String) -> anyhow::Result<Self> {
        let aws = aws_loader().load().await;
        let store: Arc<dyn StateStore> =
            Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table));
        // The secret and the pushed config do not depend on each other, so
        // a cold start waits for the slower of the two, not their sum.
        let (secrets, config) = tokio::join!(
            Secrets::load(Some(&aws)),
            LiveConfig::from_store(store.as_ref())
        );
        let (secrets, config) = (secrets?, config?);
        let jobs: Arc<dyn JobRunner> = match EcsSettings::from_env()? {
            Some(settings) => Arc::new(EcsRunner::new(aws_sdk_ecs::Client::new(&aws), settings)),
            None => Arc::new(NoRunner),
        };
        Ok(Self {
            config,
            secrets,
            store,
            jobs,
            http: Http::lazy(),
        })
    }

    /// The local process: file store, child-process jobs.
    pub fn local(config: Config, paths: &LocalPaths, secrets: Secrets) -> anyhow::Result<Self> {
        let store = FileStore::open(&paths.state)
            .with_context(|| format!("opening the state file {}", paths.state.display()))?;
        let abs = |p: &PathBuf| std::path::absolute(p).unwrap_or_else(|_| p.clone());
        let (worker, worker_args) = LocalRunner::locate_worker();
        let jobs = LocalRunner::new(
            worker,
            vec![
                (CONFIG_VAR.into(), abs(&paths.config).display().to_string()),
                (STATE_VAR.into(), abs(&paths.state).display().to_string()),
            ],
            config
                .jobs
                .values()
                .flat_map(|j| j.env.iter().cloned())
                .collect(),
        )
        .with_args(worker_args);
        Ok(Self {
            config: LiveConfig::fixed(config),
            secrets,
            store: Arc::new(store),
            jobs: Arc::new(jobs),
            http: Http::lazy(),
        })
    }

    /// The Slack Web API client for the current config.
    pub fn slack(&self, config: &Config) -> SlackWebApi {
        crate::services::slack(config, self.http.client(), &self.secrets)
    }
}

/// The AWS SDK as every function configures it. Slack waits 3 s for the
/// dispatcher and unfurler, and the SDK has no operation timeout by
/// default: every call and its retries are bounded. A retried write can
/// land twice, which is why every conditional write that guards a promise
/// goes through `state::once`.
pub fn aws_loader() -> aws_config::ConfigLoader {
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(Duration::from_millis(800))
        .operation_attempt_timeout(Duration::from_millis(900))
        .operation_timeout(Duration::from_millis(1800))
        .build();
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .timeout_config(timeouts)
        .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(2))
}

/// Used where no job runner is configured; says so when asked to run.
struct NoRunner;

#[async_trait::async_trait]
impl JobRunner for NoRunner {
    async fn start(&self, _spec: &crate::jobs::JobSpec) -> Result<String, crate::jobs::StartError> {
        Err(
            anyhow::anyhow!("no job runner is configured: set SWITCHBOARD_ECS_CLUSTER and friends")
                .into(),
        )
    }
}
