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

/// A cluster and worker task definition on moto, and the settings that
/// point a runner at them.
async fn worker_cluster(client: &Client) -> EcsSettings {
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
    EcsSettings {
        cluster,
        task_definition: def_arn,
        container: "worker".into(),
        subnets: vec![default_subnet().await],
        security_groups: vec!["sg-12345678".into()],
        assign_public_ip: true,
    }
}

fn backup_spec(id: &str) -> JobSpec {
    JobSpec {
        id: id.parse().expect("job id"),
        record_sk: format!("1#{id}"),
        requested_by: "UANN".parse().expect("user id"),
        channel: "COPS".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/x".parse().expect("response_url"),
        work: Work::Command {
            name: "backup".into(),
            argv: vec!["backup".into(), "acme".into()],
        },
    }
}

async fn tasks_of(client: &Client, cluster: &str, job_id: &str) -> usize {
    let mut n = 0;
    for status in [DesiredStatus::Running, DesiredStatus::Stopped] {
        n += client
            .list_tasks()
            .cluster(cluster)
            .started_by(started_by(job_id))
            .desired_status(status)
            .send()
            .await
            .expect("ListTasks")
            .task_arns()
            .len();
    }
    n
}

/// The SDK's usual 900 ms attempt would give up on a 1.3 s answer and
/// send `RunTask` again: two backups for one command.
#[tokio::test]
async fn a_late_or_lost_run_task_answer_starts_one_task_on_moto() {
    use crate::testing::fault::{Fault, FaultProxy};
    const RUN_TASK: &str = "ContainerServiceV20141113.RunTask";
    let direct = Client::new(&moto::sdk_config().await);
    let settings = worker_cluster(&direct).await;
    let cluster = settings.cluster.clone();
    let proxy = FaultProxy::start(&moto::endpoint()).await;
    let runner = EcsRunner::new(
        Client::new(&moto::production_sdk_config(proxy.url()).await),
        settings,
    );

    proxy.fault(
        RUN_TASK,
        Fault::Delay(std::time::Duration::from_millis(1300)),
        1,
    );
    let late = backup_spec("1111111111111111");
    let arn = runner
        .start(&late)
        .await
        .expect("a late answer is an answer");
    assert!(arn.contains(":task/"), "{arn}");
    assert_eq!(
        tasks_of(&direct, &cluster, late.id.as_str()).await,
        1,
        "one task"
    );
    let sent = proxy.seen(RUN_TASK);
    assert_eq!(sent.len(), 1, "RunTask was sent once");
    assert!(
        sent[0].body.contains(r#""clientToken":"1111111111111111""#),
        "RunTask carries the job id as its client token: {}",
        sent[0].body
    );

    // No answer at all: the outcome is unknown, never "nothing ran",
    // and the task is found by the job id.
    proxy.fault(RUN_TASK, Fault::Drop, 1);
    let lost = backup_spec("2222222222222222");
    let outcome = runner.start(&lost).await;
    assert!(
        matches!(outcome, Err(StartError::Unknown(_))),
        "a lost answer is unknown: {outcome:?}"
    );
    assert_eq!(
        tasks_of(&direct, &cluster, lost.id.as_str()).await,
        1,
        "one task"
    );
    let found = runner.find(lost.id.as_str()).await.expect("find");
    assert!(found.is_some_and(|a| a.contains(":task/")));
    assert_eq!(runner.find("3333333333333333").await.expect("find"), None);

    // ECS's own refusal is certain: nothing ran.
    let mut missing = runner.settings.clone();
    missing.task_definition = "no-such-definition:1".into();
    let refused = EcsRunner::new(direct.clone(), missing)
        .start(&backup_spec("4444444444444444"))
        .await;
    assert!(
        matches!(refused, Err(StartError::Refused(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn stop_task_stops_a_jobs_running_task_on_moto() {
    let client = Client::new(&moto::sdk_config().await);
    let settings = worker_cluster(&client).await;
    let cluster = settings.cluster.clone();
    let runner = EcsRunner::new(client.clone(), settings);
    let spec = backup_spec("5555555555555555");
    let arn = runner.start(&spec).await.expect("task started");

    assert!(
        runner.stop(spec.id.as_str()).await.expect("stop"),
        "stopped"
    );
    let described = client
        .describe_tasks()
        .cluster(&cluster)
        .tasks(&arn)
        .send()
        .await
        .expect("describe");
    let task = described.tasks().first().expect("the task");
    assert_eq!(task.desired_status(), Some("STOPPED"));
    assert_eq!(task.stopped_reason(), Some(STOP_REASON));

    // Stopped already, or never started: nothing to stop.
    assert!(!runner.stop(spec.id.as_str()).await.expect("stop again"));
    assert!(!runner.stop("6666666666666666").await.expect("stop unknown"));
    // The task is still found, as a stopped one.
    assert_eq!(
        runner.find(spec.id.as_str()).await.expect("find"),
        Some(arn)
    );
}

#[tokio::test]
async fn run_task_carries_the_job_on_moto() {
    let aws = moto::sdk_config().await;
    let client = Client::new(&aws);
    let settings = worker_cluster(&client).await;
    let cluster = settings.cluster.clone();
    let runner = EcsRunner::new(client.clone(), settings);
    let spec = JobSpec {
        id: "0123456789abcdef".parse().expect("job id"),
        record_sk: "1#0123456789abcdef".into(),
        requested_by: "UANN".parse().expect("user id"),
        channel: "COPS".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/x".parse().expect("response_url"),
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
