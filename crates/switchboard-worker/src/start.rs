//! The worker's start: read the job from the environment, build the
//! clients, run it. Shared by the worker binary (ECS, or beside
//! `switchboard serve`) and `switchboard worker`.

use anyhow::Context as _;
use switchboard_core::ci::Jenkins;
use switchboard_core::jobs::{JOB_VAR, JobSpec, JobStatus};
use switchboard_core::runtime::Runtime;
use switchboard_trackers::Services;
use tracing::Instrument as _;

use crate::{Context, run};

/// Runs the job handed over in `SWITCHBOARD_JOB`: the worker binary's
/// whole life, and `switchboard worker`'s. Fails when the job failed.
pub async fn run_from_env() -> anyhow::Result<()> {
    let spec = std::env::var(JOB_VAR).with_context(|| {
        format!("{JOB_VAR} is not set: the worker runs jobs handed to it by the dispatcher")
    })?;
    let spec =
        JobSpec::from_json(&spec).with_context(|| format!("{JOB_VAR} is not a valid job"))?;
    let rt = match Runtime::from_env().await {
        Ok(rt) => rt,
        Err(e) => {
            // Without a runtime there is no store or Slack client; the
            // response_url still lets the requester hear why nothing happens.
            let text = format!(
                "Job `{}` could not start: the worker failed to load its configuration. \
                 An admin can find the cause in the worker's logs.",
                spec.id.short()
            );
            let message = switchboard_core::slack::Message::ephemeral(text);
            let sent = switchboard_core::slack::api::http_client()
                .post(spec.response_url.as_str())
                .json(&message.to_response_json())
                .send()
                .await;
            if let Err(post) = sent {
                tracing::error!(error = %post, "could not tell Slack the job failed to start");
            }
            return Err(e.context("the worker could not start"));
        }
    };
    let config = rt.config.get(rt.store.as_ref()).await;
    let services = Services::from_config(&config, rt.http.client(), &rt.secrets);
    let jenkins = config.jenkins.as_ref().map(|j| {
        Jenkins::new(
            rt.http.client().clone(),
            &j.url,
            rt.secrets.jenkins_user.clone(),
            rt.secrets.jenkins_token.clone(),
        )
    });
    let ctx = Context {
        config: &config,
        store: rt.store.as_ref(),
        services: &services,
        ci: jenkins
            .as_ref()
            .map(|j| j as &dyn switchboard_core::ci::CiServer),
        secrets: &rt.secrets,
    };
    let span = tracing::info_span!("job", job = %spec.id, user = %spec.requested_by, channel = %spec.channel);
    match run(&ctx, &spec).instrument(span).await? {
        JobStatus::Succeeded => Ok(()),
        status => anyhow::bail!("job {} ended {}", spec.id, status.label()),
    }
}
