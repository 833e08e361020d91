//! Cancelling a job, from its message's Cancel button or `jobs cancel
//! <id>`: the record ends as cancelled (by compare-and-set, so a job that
//! ended meanwhile stays as it ended), then the work is stopped for real
//! (the worker and what it started, the Jenkins queue item or build) and
//! the job's message shows who cancelled it.

use std::sync::Arc;

use switchboard_core::audit::Outcome;
use switchboard_core::ci::{CancelOutcome, CiServer as _};
use switchboard_core::clock::now_secs;
use switchboard_core::config::Config;
use switchboard_core::ids::short_job_id;
use switchboard_core::ids::{ChannelId, UserId};
use switchboard_core::jobs::{JobRecord, JobStatus, JobStore};
use switchboard_core::slack::interaction::ButtonPress;
use switchboard_core::slack::job::job_message;
use switchboard_core::slack::{Message, Posted, escape};

use crate::access::{Decision, decide};
use crate::confirm::Pressed;
use crate::handler::{Dispatcher, RunError};

/// How a cancel ended, for the audit log and the person.
pub(crate) struct Cancelled {
    pub outcome: Outcome,
    pub text: String,
}

impl Dispatcher {
    /// A press of a job message's Cancel button; its value is the record's
    /// sort key, and the permission is judged in the job's own channel.
    pub(crate) async fn cancel_pressed(
        &self,
        config: &Arc<Config>,
        press: &ButtonPress,
    ) -> Pressed {
        let store = JobStore::new(self.store.as_ref());
        let record = match store.load(&press.value).await {
            Ok(Some(r)) => r,
            Ok(None) => {
                return Pressed::one(
                    Outcome::UserError,
                    "no such job",
                    Message::ephemeral("I have no record of that job; nothing was changed."),
                );
            }
            Err(e) => {
                tracing::error!(error = %e, "could not read the job to cancel");
                return Pressed::one(
                    Outcome::InternalError,
                    "state store",
                    Message::ephemeral(
                        "Something went wrong on my side and nothing was cancelled; please try again.",
                    ),
                );
            }
        };
        let channel = ChannelId::parse(&record.channel).ok();
        let done = self
            .cancel_job(config, &press.user, channel.as_ref(), record)
            .await;
        Pressed::one(done.outcome, "", Message::ephemeral(done.text))
    }

    /// `jobs cancel <id>`: the id's first characters, as `jobs` shows them,
    /// among the jobs the asker can see.
    pub(crate) async fn cancel_command(
        &self,
        config: &Arc<Config>,
        user: &UserId,
        channel: &ChannelId,
        id: &str,
    ) -> Result<(Outcome, Message), RunError> {
        if id.len() < 4 {
            return Err(RunError::User(
                "Give at least the first 4 characters of the job id, as `jobs` shows it.".into(),
            ));
        }
        let visible = JobStore::new(self.store.as_ref())
            .visible_to(channel.as_str(), user.as_str(), 500)
            .await?;
        let mut matching = visible.into_iter().filter(|r| r.id.starts_with(id));
        let (Some(record), None) = (matching.next(), matching.next()) else {
            return Err(RunError::User(format!(
                "I can't find exactly one job `{}` among this channel's and your jobs; \
                 `/example jobs` lists them.",
                escape(id)
            )));
        };
        let done = self.cancel_job(config, user, Some(channel), record).await;
        Ok((done.outcome, Message::ephemeral(done.text)))
    }

    /// Cancels one job for `user`, asking from `channel`: the requester
    /// may, and so may whoever may run the job's command there.
    pub(crate) async fn cancel_job(
        &self,
        config: &Arc<Config>,
        user: &UserId,
        channel: Option<&ChannelId>,
        record: JobRecord,
    ) -> Cancelled {
        let id = short_job_id(&record.id).to_owned();
        let may = record.requested_by == user.as_str()
            || channel.is_some_and(|c| {
                matches!(
                    decide(&record.command, config.access(&record.command), user, c),
                    Decision::Allowed
                )
            });
        if !may {
            return Cancelled {
                outcome: Outcome::Denied,
                text: format!(
                    "Only <@{}> or someone who may run `{}` can cancel job `{id}`; nothing was changed.",
                    record.requested_by, record.command
                ),
            };
        }
        let by = user.as_str().to_owned();
        let store = JobStore::new(self.store.as_ref());
        let updated = store
            .update(&record.sk, |r| {
                if r.status.is_finished() {
                    return false;
                }
                r.status = JobStatus::Cancelled;
                r.cancelled_by = Some(by.clone());
                r.detail = format!("cancelled by <@{by}>");
                true
            })
            .await;
        let record = match updated {
            Ok(Some((record, true))) => record,
            Ok(Some((record, false))) => {
                return Cancelled {
                    outcome: Outcome::TooLate,
                    text: format!(
                        "Job `{id}` had already ended ({}); nothing was changed.",
                        record.status.label()
                    ),
                };
            }
            Ok(None) => {
                return Cancelled {
                    outcome: Outcome::UserError,
                    text: "I have no record of that job; nothing was changed.".into(),
                };
            }
            Err(e) => {
                tracing::error!(job = %record.id, error = %e, "could not mark the job cancelled");
                return Cancelled {
                    outcome: Outcome::InternalError,
                    text: format!(
                        "Something went wrong on my side and job `{id}` was not cancelled; please try again."
                    ),
                };
            }
        };
        let stopped = self.stop_work(config, &record).await;
        self.show(&record).await;
        let text = match stopped {
            Ok(what) => format!(
                "Cancelled job `{id}` ({} {}): {what}.",
                record.command,
                escape(&record.summary)
            ),
            Err(what) => format!(
                "Job `{id}` is marked cancelled, but {what}. Check it by hand before running it again."
            ),
        };
        Cancelled {
            outcome: Outcome::Cancelled,
            text,
        }
    }

    /// Stops what a cancelled job started: the Jenkins build first (the
    /// worker only follows it), then the worker and everything it runs,
    /// whatever Jenkins said. What could not be confirmed is the error.
    async fn stop_work(&self, config: &Arc<Config>, record: &JobRecord) -> Result<String, String> {
        let mut done = Vec::new();
        let mut unsure = Vec::new();
        if record.command == "deploy"
            && let Some(link) = &record.link
        {
            match self.jenkins.get(config).as_ref() {
                Some(ci) => match ci.cancel(link).await {
                    Ok(CancelOutcome::Dequeued) => done.push("Jenkins took it out of the queue"),
                    Ok(CancelOutcome::Aborted(_)) => done.push("Jenkins aborted the build"),
                    Ok(CancelOutcome::AlreadyFinished) => {
                        done.push("Jenkins had already finished the build")
                    }
                    Err(e) => {
                        // A request that timed out may still have stopped it.
                        tracing::error!(job = %record.id, error = %e, "could not cancel the Jenkins build");
                        unsure.push(format!(
                            "I could not confirm that Jenkins stopped the build ({e})"
                        ));
                    }
                },
                None => unsure.push("the config no longer has Jenkins to stop the build".into()),
            }
        }
        match self.jobs.stop(&record.id).await {
            Ok(true) => done.push("its worker was stopped"),
            Ok(false) => {}
            Err(e) => {
                tracing::error!(job = %record.id, error = format!("{e:#}"), "could not stop the worker");
                unsure.push("I could not confirm that its worker stopped".into());
            }
        }
        if !unsure.is_empty() {
            return Err(unsure.join(", and "));
        }
        if done.is_empty() {
            done.push("nothing of it was running");
        }
        Ok(done.join(", "))
    }

    /// Brings the job's live message up to date, where it has one.
    pub(crate) async fn show(&self, record: &JobRecord) {
        let (Some(ts), Ok(channel)) = (&record.message_ts, ChannelId::parse(&record.channel))
        else {
            return;
        };
        let config = self.config.get(self.store.as_ref()).await;
        let services = self.services.get(&config);
        if let Err(e) = services
            .chat()
            .update_message(
                Posted {
                    channel: &channel,
                    ts,
                },
                &job_message(record, now_secs()),
            )
            .await
        {
            tracing::warn!(job = %record.id, error = %e, "could not update the job's message");
        }
    }
}
