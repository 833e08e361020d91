//! The ECS runner: `RunTask` on Fargate with the job in a container
//! environment override.

use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use async_trait::async_trait;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::config::http::HttpResponse;
use aws_sdk_ecs::config::retry::RetryConfig;
use aws_sdk_ecs::config::timeout::TimeoutConfig;
use aws_sdk_ecs::error::SdkError;
use aws_sdk_ecs::operation::run_task::RunTaskError;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ContainerOverride, DesiredStatus, KeyValuePair,
    LaunchType, NetworkConfiguration, TaskOverride,
};

use super::{JOB_VAR, JobRunner, JobSpec, StartError};

/// Where and how the worker task runs; from the function's environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcsSettings {
    pub cluster: String,
    pub task_definition: String,
    pub container: String,
    pub subnets: Vec<String>,
    pub security_groups: Vec<String>,
    pub assign_public_ip: bool,
}

impl EcsSettings {
    /// Reads `SWITCHBOARD_ECS_*`; `None` when no cluster is configured.
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        let Some(cluster) = var("SWITCHBOARD_ECS_CLUSTER") else {
            return Ok(None);
        };
        let list = |n: &str| -> Vec<String> {
            var(n)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_owned())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let settings = Self {
            cluster,
            task_definition: var("SWITCHBOARD_ECS_TASK_DEFINITION").context(
                "SWITCHBOARD_ECS_TASK_DEFINITION must be set with SWITCHBOARD_ECS_CLUSTER",
            )?,
            container: var("SWITCHBOARD_ECS_CONTAINER").unwrap_or_else(|| "worker".into()),
            subnets: list("SWITCHBOARD_ECS_SUBNETS"),
            security_groups: list("SWITCHBOARD_ECS_SECURITY_GROUPS"),
            assign_public_ip: var("SWITCHBOARD_ECS_ASSIGN_PUBLIC_IP").as_deref()
                != Some("DISABLED"),
        };
        if settings.subnets.is_empty() {
            bail!("SWITCHBOARD_ECS_SUBNETS must list at least one subnet for Fargate");
        }
        Ok(Some(settings))
    }
}

#[derive(Debug, Clone)]
pub struct EcsRunner {
    client: Client,
    settings: EcsSettings,
    /// `RunTask`'s own retry and timeout settings (see [`RUN_TASK_TIMEOUT`]).
    run_task: aws_sdk_ecs::config::Builder,
}

impl EcsRunner {
    pub fn new(client: Client, settings: EcsSettings) -> Self {
        let run_task = aws_sdk_ecs::config::Builder::default()
            .retry_config(RetryConfig::standard().with_max_attempts(1))
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_attempt_timeout(RUN_TASK_TIMEOUT)
                    .operation_timeout(RUN_TASK_TIMEOUT)
                    .build(),
            );
        Self {
            client,
            settings,
            run_task,
        }
    }
}

/// How long `RunTask` may take. ECS can be slow to answer, and a second
/// attempt would start a second task wherever `clientToken` is not honoured,
/// so there is one attempt, as long as Slack's 3 s allow; a lost answer is
/// reported as unknown and settled by [`EcsRunner::find`].
const RUN_TASK_TIMEOUT: Duration = Duration::from_millis(2400);

/// ECS's `startedBy` (at most 36 characters), which names the job.
fn started_by(job_id: &str) -> String {
    format!(
        "switchboard-{}",
        job_id.chars().take(16).collect::<String>()
    )
}

#[async_trait]
impl JobRunner for EcsRunner {
    async fn start(&self, spec: &JobSpec) -> Result<String, StartError> {
        let s = &self.settings;
        let vpc = AwsVpcConfiguration::builder()
            .set_subnets(Some(s.subnets.clone()))
            .set_security_groups(Some(s.security_groups.clone()))
            .assign_public_ip(if s.assign_public_ip {
                AssignPublicIp::Enabled
            } else {
                AssignPublicIp::Disabled
            })
            .build()
            .context("building the awsvpc configuration")?;
        let overrides = TaskOverride::builder()
            .container_overrides(
                ContainerOverride::builder()
                    .name(&s.container)
                    .environment(
                        KeyValuePair::builder()
                            .name(JOB_VAR)
                            .value(spec.to_json())
                            .build(),
                    )
                    .build(),
            )
            .build();
        let sent = self
            .client
            .run_task()
            .cluster(&s.cluster)
            .task_definition(&s.task_definition)
            .launch_type(LaunchType::Fargate)
            .count(1)
            // ECS starts one task per token, whatever reaches it twice.
            .client_token(spec.id.as_str())
            .started_by(started_by(spec.id.as_str()))
            .network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(vpc)
                    .build(),
            )
            .overrides(overrides)
            .customize()
            .config_override(self.run_task.clone())
            .send()
            .await;
        let out = match sent {
            Ok(out) => out,
            Err(e) => return Err(classify(e)),
        };
        if let Some(f) = out.failures().first() {
            return Err(StartError::Refused(anyhow!(
                "ECS could not start the task: {} {}",
                f.reason().unwrap_or("unknown reason"),
                f.detail().unwrap_or("")
            )));
        }
        out.tasks()
            .first()
            .and_then(|t| t.task_arn())
            .map(str::to_owned)
            .context("ECS RunTask returned no task")
            .map_err(StartError::Unknown)
    }

    async fn find(&self, job_id: &str) -> anyhow::Result<Option<String>> {
        // A task that already ended is as much an answer as a running one.
        for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
            let out = self
                .client
                .list_tasks()
                .cluster(&self.settings.cluster)
                .started_by(started_by(job_id))
                .desired_status(status)
                .send()
                .await
                .context("ECS ListTasks")?;
            if let Some(arn) = out.task_arns().first() {
                return Ok(Some(arn.clone()));
            }
        }
        Ok(None)
    }

    async fn stop(&self, job_id: &str) -> anyhow::Result<bool> {
        // ECS marks a task that ended, or is being stopped, with the
        // desired status STOPPED, so only tasks still meant to run count.
        let out = self
            .client
            .list_tasks()
            .cluster(&self.settings.cluster)
            .started_by(started_by(job_id))
            .desired_status(DesiredStatus::Running)
            .send()
            .await
            .context("ECS ListTasks")?;
        for arn in out.task_arns() {
            self.client
                .stop_task()
                .cluster(&self.settings.cluster)
                .task(arn)
                .reason(STOP_REASON)
                .send()
                .await
                .with_context(|| format!("ECS StopTask {arn}"))?;
        }
        Ok(!out.task_arns().is_empty())
    }
}

/// Why a task was stopped, as ECS shows it (at most 255 characters).
const STOP_REASON: &str = "cancelled from Slack";

/// Only an answer from ECS that refuses the request says nothing ran; a
/// time-out, a broken connection or a server error may follow a start.
fn classify(e: SdkError<RunTaskError, HttpResponse>) -> StartError {
    let refused = match &e {
        SdkError::ConstructionFailure(_) => true,
        SdkError::ServiceError(s) => !s.err().is_server_exception(),
        _ => false,
    };
    let e = anyhow::Error::new(e).context("ECS RunTask");
    if refused {
        StartError::Refused(e)
    } else {
        StartError::Unknown(e)
    }
}

#[cfg(test)]
mod tests;
