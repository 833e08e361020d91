//! In-process fakes of the ports, for handler tests in any crate.

use std::sync::Mutex;

use async_trait::async_trait;

use crate::ids::{ChannelId, UserId};
use crate::jobs::{JobRunner, JobSpec, StartError};
use crate::slack::{
    Card, Chat, ChatError, HistoryMessage, Message, Posted, ResponseUrl, UnfurlTarget,
};

pub use crate::state::MemoryStore;

/// One recorded `chat.unfurl`: its target and the cards by link.
pub type RecordedUnfurl = (UnfurlTarget, Vec<(String, Card)>);

/// Records every message instead of sending it; `fail_next` makes calls
/// of one Web API method fail on cue, as Slack would.
#[derive(Debug, Default)]
pub struct RecordingChat {
    pub sent: Mutex<Vec<(String, Message)>>,
    pub unfurls: Mutex<Vec<RecordedUnfurl>>,
    /// How many more calls of each method fail.
    failing: Mutex<std::collections::HashMap<&'static str, usize>>,
}

impl RecordingChat {
    /// Makes the next `times` calls of `method` (`chat.postMessage`,
    /// `chat.unfurl`, …) fail with Slack's `internal_error`.
    #[must_use]
    pub fn fail_next(self, method: &'static str, times: usize) -> Self {
        self.failing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(method, times);
        self
    }

    /// The cued failure for a call of `method`, if one is left.
    fn cued(&self, method: &'static str) -> Result<(), ChatError> {
        let mut failing = self
            .failing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match failing.get_mut(method) {
            Some(left) if *left > 0 => {
                *left -= 1;
                Err(ChatError::refused(method, "internal_error"))
            }
            _ => Ok(()),
        }
    }

    /// Every recorded message as Slack would read it back, oldest first,
    /// with its channel: the n-th has the ts "1.n", as `post_message` gives.
    fn read_back(&self) -> Vec<(String, HistoryMessage)> {
        self.messages()
            .into_iter()
            .enumerate()
            .map(|(i, (to, m))| {
                let read = HistoryMessage {
                    ts: format!("1.{:06}", i + 1),
                    thread_ts: m.thread_ts,
                    metadata: m.metadata,
                };
                (to, read)
            })
            .collect()
    }

    pub fn messages(&self) -> Vec<(String, Message)> {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    fn record(&self, to: &str, message: &Message) {
        self.sent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((to.to_owned(), message.clone()));
    }
}

#[async_trait]
impl Chat for RecordingChat {
    async fn post_message(
        &self,
        channel: &ChannelId,
        message: &Message,
    ) -> Result<String, ChatError> {
        self.cued("chat.postMessage")?;
        let n = {
            let mut sent = self
                .sent
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            sent.push((channel.as_str().to_owned(), message.clone()));
            sent.len()
        };
        Ok(format!("1.{n:06}"))
    }

    async fn update_message(&self, at: Posted<'_>, message: &Message) -> Result<(), ChatError> {
        self.cued("chat.update")?;
        self.record(
            &format!("update {} {}", at.channel.as_str(), at.ts),
            message,
        );
        Ok(())
    }

    async fn history(
        &self,
        channel: &ChannelId,
        _oldest: Option<&str>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        Ok(self
            .read_back()
            .into_iter()
            .rev()
            .filter(|(to, _)| to == channel.as_str())
            .take(limit)
            .map(|(_, m)| m)
            .collect())
    }

    async fn replies(
        &self,
        thread: Posted<'_>,
        limit: usize,
    ) -> Result<Vec<HistoryMessage>, ChatError> {
        let in_thread =
            |m: &HistoryMessage| m.ts == thread.ts || m.thread_ts.as_deref() == Some(thread.ts);
        Ok(self
            .read_back()
            .into_iter()
            .filter(|(to, m)| to == thread.channel.as_str() && in_thread(m))
            .take(limit)
            .map(|(_, m)| m)
            .collect())
    }

    async fn open_dm(&self, user: &UserId) -> Result<ChannelId, ChatError> {
        ChannelId::parse(&format!("D{}", &user.as_str()[1..])).map_err(|_| ChatError::Slack {
            method: "conversations.open".into(),
            code: "user_not_found".into(),
        })
    }

    async fn lookup_user_by_email(&self, _email: &str) -> Result<Option<UserId>, ChatError> {
        Ok(None)
    }

    async fn respond(&self, url: &ResponseUrl, message: &Message) -> Result<(), ChatError> {
        self.cued("response_url")?;
        self.record(url.as_str(), message);
        Ok(())
    }

    async fn unfurl(
        &self,
        target: &UnfurlTarget,
        cards: &[(String, Card)],
    ) -> Result<(), ChatError> {
        self.cued("chat.unfurl")?;
        self.unfurls
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((target.clone(), cards.to_vec()));
        Ok(())
    }
}

/// Records job starts and stops; `fail_with` makes every start fail, and
/// `answer_lost` starts the job but loses the answer (outcome unknown).
#[derive(Debug, Default)]
pub struct RecordingRunner {
    pub started: Mutex<Vec<JobSpec>>,
    /// The job ids `stop` was asked for, in order.
    pub stopped: Mutex<Vec<String>>,
    pub fail_with: Option<String>,
    pub answer_lost: bool,
}

impl RecordingRunner {
    pub fn specs(&self) -> Vec<JobSpec> {
        self.started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The job ids `stop` was asked for, in order.
    pub fn stops(&self) -> Vec<String> {
        self.stopped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

#[async_trait]
impl JobRunner for RecordingRunner {
    async fn start(&self, spec: &JobSpec) -> Result<String, StartError> {
        if let Some(reason) = &self.fail_with {
            return Err(StartError::Refused(anyhow::anyhow!("{reason}")));
        }
        self.started
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(spec.clone());
        if self.answer_lost {
            return Err(StartError::Unknown(anyhow::anyhow!(
                "the runner's answer was lost"
            )));
        }
        Ok(format!("fake task {}", spec.id))
    }

    async fn find(&self, job_id: &str) -> anyhow::Result<Option<String>> {
        Ok(self
            .specs()
            .iter()
            .any(|s| s.id.as_str() == job_id)
            .then(|| format!("fake task {job_id}")))
    }

    /// Something is stopped only for a job this runner started.
    async fn stop(&self, job_id: &str) -> anyhow::Result<bool> {
        self.stopped
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(job_id.to_owned());
        Ok(self.specs().iter().any(|s| s.id.as_str() == job_id))
    }
}
