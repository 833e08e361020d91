//! Posts a job's progress: to the command's `response_url` while Slack
//! allows (5 posts in 30 minutes), then to the channel.

use switchboard_core::clock::now_secs;
use switchboard_core::ids::ChannelId;
use switchboard_core::jobs::JobSpec;
use switchboard_core::slack::{Chat, Message, ResponseUrl};

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
}

impl<'a> Reporter<'a> {
    /// `posts_used` carries over posts made before (by an earlier attempt);
    /// `issued_at` is when the slash command arrived (epoch seconds).
    pub fn new(chat: &'a dyn Chat, spec: &JobSpec, posts_used: u32, issued_at: i64) -> Self {
        Self {
            chat,
            response_url: ResponseUrl::parse(&spec.response_url).ok(),
            channel: ChannelId::parse(&spec.channel).ok(),
            posts: posts_used,
            issued_at,
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
mod tests {
    use super::*;
    use switchboard_core::fakes::RecordingChat;
    use switchboard_core::jobs::Work;

    #[tokio::test]
    async fn falls_back_to_the_channel_after_five_posts() {
        let chat = RecordingChat::default();
        let spec = JobSpec {
            id: "0123456789abcdef".into(),
            record_sk: "x".into(),
            requested_by: "U1".into(),
            channel: "COPS".into(),
            response_url: "https://hooks.slack.com/commands/T1/1/x".into(),
            work: Work::Command {
                name: "backup".into(),
                argv: vec![],
            },
        };
        let mut r = Reporter::new(&chat, &spec, 3, now_secs());
        for i in 0..4 {
            r.post(&format!("update {i}")).await;
        }
        let to: Vec<String> = chat.messages().into_iter().map(|(to, _)| to).collect();
        assert_eq!(
            to,
            [
                "https://hooks.slack.com/commands/T1/1/x",
                "https://hooks.slack.com/commands/T1/1/x",
                "COPS",
                "COPS"
            ]
        );
        assert_eq!(r.posts_used(), 5);
    }

    #[tokio::test]
    async fn an_expired_response_url_is_not_tried() {
        let chat = RecordingChat::default();
        let spec = JobSpec {
            id: "0123456789abcdef".into(),
            record_sk: "x".into(),
            requested_by: "U1".into(),
            channel: "COPS".into(),
            response_url: "https://hooks.slack.com/commands/T1/1/x".into(),
            work: Work::Command {
                name: "backup".into(),
                argv: vec![],
            },
        };
        let mut r = Reporter::new(&chat, &spec, 0, now_secs() - RESPONSE_URL_LIFETIME_SECS - 1);
        r.post("late news").await;
        let to: Vec<String> = chat.messages().into_iter().map(|(to, _)| to).collect();
        assert_eq!(to, ["COPS"]);
    }
}
