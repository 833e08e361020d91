//! The ECS runner: `RunTask` on Fargate with the job in a container
//! environment override.

use anyhow::{Context as _, bail};
use async_trait::async_trait;
use aws_sdk_ecs::Client;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, ContainerOverride, KeyValuePair, LaunchType,
    NetworkConfiguration, TaskOverride,
};

use super::{JOB_VAR, JobRunner, JobSpec};

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
}

impl EcsRunner {
    pub fn new(client: Client, settings: EcsSettings) -> Self {
        Self { client, settings }
    }
}

#[async_trait]
impl JobRunner for EcsRunner {
    async fn start(&self, spec: &JobSpec) -> anyhow::Result<String> {
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
        let out = self
            .client
            .run_task()
            .cluster(&s.cluster)
            .task_definition(&s.task_definition)
            .launch_type(LaunchType::Fargate)
            .count(1)
            .started_by(format!(
                "switchboard-{}",
                spec.id.chars().take(16).collect::<String>()
            ))
            .network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(vpc)
                    .build(),
            )
            .overrides(overrides)
            .send()
            .await
            .context("ECS RunTask")?;
        if let Some(f) = out.failures().first() {
            bail!(
                "ECS could not start the task: {} {}",
                f.reason().unwrap_or("unknown reason"),
                f.detail().unwrap_or("")
            );
        }
        out.tasks()
            .first()
            .and_then(|t| t.task_arn())
            .map(str::to_owned)
            .context("ECS RunTask returned no task")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::Work;
    use crate::testing::moto;
    use aws_sdk_ecs::types::{Compatibility, ContainerDefinition, NetworkMode};

    /// A subnet of moto's default VPC, found through EC2's query API (the
    /// project carries no EC2 SDK just for a test).
    async fn default_subnet() -> String {
        let url = format!(
            "{}/?Action=DescribeSubnets&Version=2016-11-15",
            moto::endpoint()
        );
        let body = reqwest::Client::new()
            .get(url)
            .header(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
            )
            .send()
            .await
            .expect("DescribeSubnets on moto")
            .text()
            .await
            .expect("body");
        let start = body.find("<subnetId>").expect("moto has default subnets") + "<subnetId>".len();
        let end = body[start..].find('<').expect("closing tag") + start;
        body[start..end].to_owned()
    }

    #[tokio::test]
    async fn run_task_carries_the_job_on_moto() {
        let aws = moto::sdk_config().await;
        let client = Client::new(&aws);
        let cluster = format!("switchboard-{}", crate::ids::JobId::new_random());
        client
            .create_cluster()
            .cluster_name(&cluster)
            .send()
            .await
            .expect("cluster");
        let def = client
            .register_task_definition()
            .family("switchboard-worker")
            .requires_compatibilities(Compatibility::Fargate)
            .network_mode(NetworkMode::Awsvpc)
            .cpu("256")
            .memory("512")
            .container_definitions(
                ContainerDefinition::builder()
                    .name("worker")
                    .image("example.invalid/switchboard-worker:latest")
                    .cpu(256)
                    .memory(512)
                    .build(),
            )
            .send()
            .await
            .expect("task definition");
        let def_arn = def
            .task_definition()
            .and_then(|d| d.task_definition_arn())
            .expect("arn")
            .to_owned();
        let runner = EcsRunner::new(
            client.clone(),
            EcsSettings {
                cluster: cluster.clone(),
                task_definition: def_arn,
                container: "worker".into(),
                subnets: vec![default_subnet().await],
                security_groups: vec!["sg-12345678".into()],
                assign_public_ip: true,
            },
        );
        let spec = JobSpec {
            id: "0123456789abcdef".into(),
            record_sk: "1#0123456789abcdef".into(),
            requested_by: "UANN".into(),
            channel: "COPS".into(),
            response_url: "https://hooks.slack.com/x".into(),
            work: Work::Command {
                name: "backup".into(),
                argv: vec!["backup".into(), "acme".into()],
            },
        };
        let arn = runner.start(&spec).await.expect("task started");
        assert!(arn.contains(":task/"), "{arn}");

        let described = client
            .describe_tasks()
            .cluster(&cluster)
            .tasks(&arn)
            .send()
            .await
            .expect("describe");
        let task = described.tasks().first().expect("the task");
        let env = task
            .overrides()
            .map(|o| o.container_overrides())
            .and_then(|c| c.first())
            .map(|c| c.environment())
            .expect("container override");
        let job = env
            .iter()
            .find(|kv| kv.name() == Some(JOB_VAR))
            .and_then(|kv| kv.value())
            .expect("SWITCHBOARD_JOB in the override");
        assert_eq!(JobSpec::from_json(job).expect("spec"), spec);
        assert_eq!(task.launch_type(), Some(&LaunchType::Fargate));
    }
}
