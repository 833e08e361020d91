//! Posts a job's progress. A job with a live message in its channel keeps
//! that one message current (`chat.update`); otherwise each line goes to
//! the command's `response_url` while Slack allows (5 posts in 30
//! minutes), then to the channel.

use switchboard_core::clock::now_secs;
use switchboard_core::ids::ChannelId;
use switchboard_core::jobs::{JobRecord, JobSpec, JobStore};
use switchboard_core::slack::job::{PROGRESS_LINES, job_message};
use switchboard_core::slack::{Chat, Message, Posted, ResponseUrl};
use switchboard_core::state::StateStore;

/// Slack accepts at most this many posts to one response_url…
pub const RESPONSE_URL_POSTS: u32 = 5;
/// …and only this long after the command was issued.
pub const RESPONSE_URL_LIFETIME_SECS: i64 = 30 * 60;

pub struct Reporter<'a> {
    chat: &'a dyn Chat,
    response_url: Option<ResponseUrl>,
    channel: Option<ChannelId>,
    posts: u32,
    issued_at: i64,
    /// The job's record and its live message's ts, when it has one.
    live: Option<Live<'a>>,
}

struct Live<'a> {
    store: &'a dyn StateStore,
    sk: String,
    ts: String,
}

impl<'a> Reporter<'a> {
    /// `posts_used` carries over posts made before (by an earlier attempt);
    /// `issued_at` is when the slash command arrived (epoch seconds).
    pub fn new(chat: &'a dyn Chat, spec: &JobSpec, posts_used: u32, issued_at: i64) -> Self {
        Self {
            chat,
            response_url: Some(spec.response_url.clone()),
            channel: Some(spec.channel.clone()),
            posts: posts_used,
            issued_at,
            live: None,
        }
    }

    /// Keeps the job's live message (`record.message_ts`) current instead
    /// of posting lines, where the record has one.
    #[must_use]
    pub fn live(mut self, store: &'a dyn StateStore, record: &JobRecord) -> Self {
        self.live = record.message_ts.as_ref().map(|ts| Live {
            store,
            sk: record.sk.clone(),
            ts: ts.clone(),
        });
        self
    }

    /// Whether the job has a live message this reporter keeps current.
    pub fn is_live(&self) -> bool {
        self.live.is_some()
    }

    /// Redraws the live message from `record`; false when Slack refused.
    pub async fn show(&self, record: &JobRecord) -> bool {
        let (Some(live), Some(channel)) = (&self.live, &self.channel) else {
            return false;
        };
        match self
            .chat
            .update_message(
                Posted {
                    channel,
                    ts: &live.ts,
                },
                &job_message(record, now_secs()),
            )
            .await
        {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "could not update the job's live message");
                false
            }
        }
    }

    /// Adds a progress line to the record and the live message; false when
    /// there is none or it could not be changed (the line is then posted).
    async fn progress(&self, text: &str) -> bool {
        let Some(live) = &self.live else {
            return false;
        };
        let line = text.lines().next().unwrap_or_default().to_owned();
        let updated = JobStore::new(live.store)
            .update(&live.sk, |r| {
                if r.status.is_finished() {
                    return false;
                }
                r.progress.push(line.clone());
                let extra = r.progress.len().saturating_sub(PROGRESS_LINES);
                r.progress.drain(..extra);
                true
            })
            .await;
        match updated {
            Ok(Some((record, _))) => self.show(&record).await,
            Ok(None) => false,
            Err(e) => {
                tracing::warn!(error = %e, "could not record the job's progress");
                false
            }
        }
    }

    fn response_url_usable(&self) -> bool {
        self.posts < RESPONSE_URL_POSTS && now_secs() - self.issued_at < RESPONSE_URL_LIFETIME_SECS
    }

    pub fn posts_used(&self) -> u32 {
        self.posts
    }

    /// Posts one update; a failure to report is logged, never fatal, since
    /// the job itself has already happened.
    pub async fn post(&mut self, text: &str) {
        if self.progress(text).await {
            return;
        }
        let message = Message::in_channel(text);
        if let Some(url) = &self.response_url
            && self.response_url_usable()
        {
            match self.chat.respond(url, &message).await {
                Ok(()) => {
                    self.posts += 1;
                    return;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "response_url post failed; falling back to the channel");
                    self.response_url = None;
                }
            }
        }
        match &self.channel {
            Some(channel) => {
                if let Err(e) = self.chat.post_message(channel, &message).await {
                    tracing::error!(error = %e, "could not report job progress to Slack");
                }
            }
            None => tracing::error!("no response_url left and no channel to report to"),
        }
    }
}

#[cfg(test)]
mod tests;
