//! Starting a job: its record, its live message, then the worker.

use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_core::config::Config;
use switchboard_core::ids::{JobId, short_job_id as short};
use switchboard_core::jobs::{
    JobRecord, JobSpec, JobStatus, JobStore, StartError, Work, fill_template,
};
use switchboard_core::slack::job::job_message;
use switchboard_core::slack::{ChatError, Message, SlashCommand, escape};

use crate::handler::{Dispatcher, RunError};

impl Dispatcher {
    pub(crate) async fn run_job(
        &self,
        config: &Config,
        cmd: &SlashCommand,
        name: &str,
        client: &str,
        values: &[(&str, &str)],
    ) -> Result<Message, RunError> {
        // An unset job is refused before a record exists; the argv is filled
        // again below, once the job id is known.
        job_argv(config, name, values, cmd.user.as_str(), "")?;
        Self::check_client(config, client)?;
        let summary = values.iter().map(|(_, v)| *v).collect::<Vec<_>>().join(" ");
        let mut record = self.record(cmd, name, &summary).await?;
        let work = Work::Command {
            name: name.to_owned(),
            argv: job_argv(config, name, values, cmd.user.as_str(), &record.id)?,
        };
        let argv_id = record.id.clone();
        let reach = match self.launch(&mut record, cmd, work).await {
            Ok(reach) => reach,
            Err(StartError::Refused(e)) => {
                tracing::error!(job = %argv_id, error = format!("{e:#}"), "could not start the job");
                return Err(RunError::User(format!(
                    "I couldn't start the {name} job (`{}`): the job runner refused it. \
                     Nothing ran; try again, or ask an admin to check the logs.",
                    short(&argv_id)
                )));
            }
            Err(StartError::Unknown(e)) => {
                tracing::error!(job = %argv_id, error = format!("{e:#}"), "the job's start is unknown");
                // Something may be running: everyone in the channel should
                // know before anyone types the command again.
                return Ok(Message::in_channel(format!(
                    "<@{}> asked for *{name}* for `{}` — job `{}`. The job runner did not answer \
                     in time, so *the job may have started*. `/example jobs` will show it; don't \
                     run it again until it does.",
                    cmd.user,
                    escape(&summary),
                    short(&argv_id),
                )));
            }
        };
        Ok(Self::news(
            reach,
            format!(
                "<@{}> started *{name}* for `{}` — job `{}`. I'll post progress here.",
                cmd.user,
                escape(&summary),
                short(&argv_id),
            ),
        ))
    }

    /// Writes a new, queued job record.
    pub(crate) async fn record(
        &self,
        cmd: &SlashCommand,
        name: &str,
        summary: &str,
    ) -> Result<JobRecord, RunError> {
        let record = JobRecord::new(
            JobId::new_random().as_str(),
            name,
            summary,
            cmd.user.as_str(),
            cmd.channel.as_str(),
        );
        JobStore::new(self.store.as_ref()).save(&record).await?;
        Ok(record)
    }

    pub(crate) async fn mark_failed(&self, record: &mut JobRecord, why: &str) {
        self.mark(record, JobStatus::Failed, why).await;
    }

    pub(crate) async fn mark(&self, record: &mut JobRecord, status: JobStatus, why: &str) {
        record.status = status;
        record.detail = why.to_owned();
        if let Err(e) = JobStore::new(self.store.as_ref()).save(record).await {
            tracing::error!(job = %record.id, error = %e, "could not record the job's status");
        }
        self.show(record).await;
    }

    /// Posts the job's one live message in its channel. Where the bot
    /// cannot post (not invited, a DM, no token) the job reports through
    /// the command's `response_url` instead, as the reply says.
    pub(crate) async fn post_live(&self, record: &mut JobRecord) -> Reach {
        let Ok(channel) = switchboard_core::ids::ChannelId::parse(&record.channel) else {
            return Reach::Replies;
        };
        let config = self.config.get(self.store.as_ref()).await;
        let services = self.services.get(&config);
        let chat = services.chat();
        // Slack's 3 s for the whole command leave the post this long; one
        // that answers later may still land, unlinked, and the job then
        // reports through the response_url as well.
        let posted = tokio::time::timeout(
            LIVE_POST_TIMEOUT,
            chat.post_message(&channel, &job_message(record, now_secs())),
        )
        .await;
        match posted {
            Ok(Ok(ts)) if !ts.is_empty() => {
                record.message_ts = Some(ts);
                Reach::Live
            }
            Ok(Ok(_)) => Reach::Replies,
            Ok(Err(ChatError::Slack { code, .. }))
                if code == "not_in_channel" || code == "channel_not_found" =>
            {
                Reach::NotInChannel
            }
            Ok(Err(e)) => {
                tracing::info!(job = %record.id, error = %e, "no live job message; replies go to the response_url");
                Reach::Replies
            }
            Err(_) => {
                tracing::warn!(job = %record.id, "chat.postMessage timed out; the message may still land, unlinked, and replies go to the response_url");
                Reach::Replies
            }
        }
    }

    /// The command's answer about a started job: the person alone when the
    /// channel already has the job's live message, else the whole channel.
    pub(crate) fn news(reach: Reach, text: String) -> Message {
        match reach {
            Reach::Live => Message::ephemeral(format!(
                "{text}\nIts live message in the channel shows how it goes."
            )),
            Reach::NotInChannel => Message::in_channel(format!("{text}\n_{INVITE_HINT}_")),
            Reach::Replies => Message::in_channel(text),
        }
    }

    /// Starts the worker for a recorded job; a failed or unknown start is
    /// recorded as such.
    pub(crate) async fn launch(
        &self,
        record: &mut JobRecord,
        cmd: &SlashCommand,
        work: Work,
    ) -> Result<Reach, StartError> {
        let spec = JobSpec {
            id: JobId::parse(&record.id).map_err(|e| StartError::Refused(e.into()))?,
            record_sk: record.sk.clone(),
            requested_by: cmd.user.clone(),
            channel: cmd.channel.clone(),
            response_url: cmd.response_url.clone(),
            work,
        };
        // The live message exists before the worker does, so the worker
        // finds it in the record and keeps it current.
        let reach = self.post_live(record).await;
        if (record.link.is_some() || record.message_ts.is_some())
            && let Err(e) = JobStore::new(self.store.as_ref()).save(record).await
        {
            tracing::warn!(job = %record.id, error = %e, "could not save the job's link and message");
        }
        match self.jobs.start(&spec).await {
            Ok(handle) => {
                tracing::info!(job = %record.id, handle, "job started");
                Ok(reach)
            }
            Err(e @ StartError::Refused(_)) => {
                self.mark_failed(record, "the worker could not be started")
                    .await;
                Err(e)
            }
            Err(e @ StartError::Unknown(_)) => {
                self.mark(
                    record,
                    JobStatus::Unknown,
                    "the job runner did not answer; the job may have started",
                )
                .await;
                Err(e)
            }
        }
    }
}

/// How long the job's live message may take to post, inside Slack's 3 s.
const LIVE_POST_TIMEOUT: Duration = Duration::from_millis(800);

/// Said when `deploy` is asked for without Jenkins in the config.
pub(crate) const NO_JENKINS: &str =
    "`deploy` is not set up here: the config has no [jenkins] section.";

/// The argv job `name` runs for these values, its placeholders filled
/// (`{user}` and `{job_id}` besides them), or why there is no such job.
pub(crate) fn job_argv(
    config: &Config,
    name: &str,
    values: &[(&str, &str)],
    user: &str,
    job_id: &str,
) -> Result<Vec<String>, RunError> {
    let template = config.jobs.get(name).ok_or_else(|| {
        RunError::User(format!(
            "`{name}` is not set up here: the config has no [jobs.{name}] section."
        ))
    })?;
    let mut all = values.to_vec();
    all.push(("user", user));
    all.push(("job_id", job_id));
    Ok(fill_template(&template.command, &all))
}

/// Where a started job's news goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reach {
    /// Its live message in the channel.
    Live,
    /// The command's response_url: the bot is not in the channel.
    NotInChannel,
    /// The command's response_url: no bot token, a DM, or Slack refused.
    Replies,
}

/// Said when the bot may not post in the channel, so a job cannot have one
/// live message there.
const INVITE_HINT: &str = "I'm not in this channel, so updates come as separate replies. \
    Invite me with `/invite @Switchboard` to get one live message per job with a Cancel button.";
