//! Dangerous commands ask first. A command marked `confirm = true` answers
//! with what it is about to do and two buttons; nothing starts until the
//! same person presses Confirm, once, while the prompt is fresh. The
//! allowlist is checked again then, since it may have changed meanwhile.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use switchboard_core::audit::Outcome;
use switchboard_core::clock::now_secs;
use switchboard_core::config::Config;
use switchboard_core::ids::{ChannelId, JobId, TeamId, UserId};
use switchboard_core::slack::blocks::{Block, Button};
use switchboard_core::slack::interaction::ButtonPress;
use switchboard_core::slack::{Message, ResponseUrl, SlashCommand, Visibility, escape};
use switchboard_core::state::{self, Condition, Item, Key};

use crate::access::{Decision, decide};
use crate::commands::{Command, Parsed, parse};
use crate::handler::{Dispatcher, RunError};
use crate::launch::{NO_JENKINS, job_argv};

/// The action ids of the prompt's two buttons; each button's value is the
/// prompt's single-use token.
pub const CONFIRM: &str = "sb_confirm";
pub const CANCEL: &str = "sb_cancel";

/// Pending prompts live under this partition, by token; a used token is
/// claimed under `{token}#used`.
const PK: &str = "confirm";

/// What was asked, kept until the prompt expires.
#[derive(Serialize, Deserialize)]
struct Pending {
    team: String,
    user: String,
    channel: String,
    command: String,
    text: String,
    response_url: String,
}

impl Pending {
    fn to_command(&self) -> Option<SlashCommand> {
        Some(SlashCommand {
            team: TeamId::parse(&self.team).ok()?,
            user: UserId::parse(&self.user).ok()?,
            user_name: String::new(),
            channel: ChannelId::parse(&self.channel).ok()?,
            command: self.command.clone(),
            text: self.text.clone(),
            response_url: ResponseUrl::parse(&self.response_url).ok()?,
        })
    }
}

/// What a press came to: the audit outcome, a detail, and the answers to
/// post to the press's `response_url`, in order.
pub(crate) struct Pressed {
    pub outcome: Outcome,
    pub detail: String,
    pub replies: Vec<Message>,
}

impl Pressed {
    pub(crate) fn one(outcome: Outcome, detail: impl Into<String>, reply: Message) -> Self {
        Self {
            outcome,
            detail: detail.into(),
            replies: vec![reply],
        }
    }
}

/// A tokens' lookup key: only the characters a token is made of, so a
/// forged value cannot address another partition's item.
fn token_of(value: &str) -> Option<&str> {
    (value.len() == 32 && value.bytes().all(|b| b.is_ascii_hexdigit())).then_some(value)
}

impl Dispatcher {
    /// Stores the command as pending and answers with the prompt; nothing
    /// else happens until someone presses a button.
    pub(crate) async fn ask(
        &self,
        config: &Config,
        cmd: &SlashCommand,
        command: &Command,
    ) -> Result<Message, RunError> {
        let describe = describe(config, cmd, command)?;
        // Two random job ids make a 128-bit token nobody can guess.
        let token = format!("{}{}", JobId::new_random(), JobId::new_random());
        let pending = Pending {
            team: cmd.team.to_string(),
            user: cmd.user.to_string(),
            channel: cmd.channel.to_string(),
            command: cmd.command.clone(),
            text: cmd.text.clone(),
            response_url: cmd.response_url.as_str().to_owned(),
        };
        let value = serde_json::to_string(&pending).map_err(anyhow::Error::from)?;
        let seconds = config.slack.confirm_seconds;
        self.store
            .put(
                Item {
                    key: Key::new(PK, &token),
                    value,
                    expires_at: Some(now_secs() + seconds),
                },
                Condition::Absent,
            )
            .await?;
        let name = command.name();
        let text = format!(":warning: You are about to {describe}.");
        let expires = if seconds % 60 == 0 {
            format!("{} minutes", seconds / 60)
        } else {
            format!("{seconds} seconds")
        };
        let blocks = vec![
            Block::section(text.clone()),
            Block::Actions(vec![
                Button::new(format!("Confirm {name}"), CONFIRM, &token).primary(),
                Button::new("Cancel", CANCEL, &token),
            ]),
            Block::context(format!(
                "Nothing has started. These buttons work once, for you, for {expires}."
            )),
        ];
        Ok(Message::ephemeral(text).with_blocks(blocks))
    }

    /// A press of Confirm or Cancel on a prompt.
    pub(crate) async fn answer_prompt(&self, config: &Arc<Config>, press: &ButtonPress) -> Pressed {
        let expired = || {
            Pressed::one(
                Outcome::Expired,
                "",
                Message::ephemeral(
                    "This confirmation has expired or was never mine, so nothing was run. \
                     Type the command again to start over.",
                )
                .replacing_original(),
            )
        };
        let Some(token) = token_of(&press.value) else {
            return expired();
        };
        let pending = match self.store.get(&Key::new(PK, token)).await {
            Ok(Some(item)) => match serde_json::from_str::<Pending>(&item.value) {
                Ok(p) => p,
                Err(_) => return expired(),
            },
            Ok(None) => return expired(),
            Err(e) => {
                tracing::error!(error = %e, "could not read a confirmation");
                return Pressed::one(
                    Outcome::InternalError,
                    "state store",
                    Message::ephemeral(
                        "Something went wrong on my side, so nothing was run. Please press again.",
                    ),
                );
            }
        };
        if pending.user != press.user.as_str() {
            return Pressed::one(
                Outcome::Denied,
                format!("asked by {}", pending.user),
                Message::ephemeral(format!(
                    "Only <@{}> can answer this prompt; nothing was run.",
                    pending.user
                )),
            );
        }
        // The first press wins; a double click or a replay finds it taken.
        let used = Key::new(PK, format!("{token}#used"));
        let until = now_secs() + config.slack.confirm_seconds + 60;
        match state::claim(self.store.as_ref(), used, until).await {
            Ok(true) => {}
            Ok(false) => {
                return Pressed {
                    outcome: Outcome::Duplicate,
                    detail: String::new(),
                    replies: Vec::new(),
                };
            }
            Err(e) => {
                // Without the claim a second press could run it again.
                tracing::error!(error = %e, "could not claim a confirmation");
                return Pressed::one(
                    Outcome::InternalError,
                    "state store",
                    Message::ephemeral(
                        "Something went wrong on my side, so nothing was run. Please press again.",
                    ),
                );
            }
        }
        if press.action_id == CANCEL {
            return Pressed::one(Outcome::Cancelled, "", Message::delete_original());
        }
        self.run_confirmed(config, &pending).await
    }

    /// Runs a confirmed command exactly as it would have run untyped, the
    /// allowlist checked again first.
    async fn run_confirmed(&self, config: &Arc<Config>, pending: &Pending) -> Pressed {
        let Some(cmd) = pending.to_command() else {
            return Pressed::one(
                Outcome::InternalError,
                "unreadable confirmation",
                Message::ephemeral("I could not read what was asked, so nothing was run.")
                    .replacing_original(),
            );
        };
        let Parsed::Run(command) = parse(&cmd.command, &cmd.text) else {
            return Pressed::one(
                Outcome::UserError,
                "no longer parses",
                Message::ephemeral("That command no longer reads as one I know; nothing was run.")
                    .replacing_original(),
            );
        };
        let name = command.name();
        if !config.slack.admits_team(Some(&cmd.team)) {
            return Pressed::one(
                Outcome::Denied,
                "team not in slack.team_ids",
                Message::ephemeral(crate::handler::FOREIGN_TEAM).replacing_original(),
            );
        }
        if let Decision::Denied(refusal) =
            decide(name, config.access(name), &cmd.user, &cmd.channel)
        {
            return Pressed::one(
                Outcome::Denied,
                refusal.code(),
                Message::ephemeral(format!("{} Nothing was run.", refusal.explain(name)))
                    .replacing_original(),
            );
        }
        match self.run(config, &cmd, &command).await {
            Ok(message) if message.visibility == Visibility::InChannel => Pressed {
                outcome: Outcome::Confirmed,
                detail: name.to_owned(),
                // An ephemeral prompt cannot become a channel message, so
                // it goes and the news is posted beside it.
                replies: vec![Message::delete_original(), message],
            },
            Ok(message) => Pressed::one(Outcome::Confirmed, name, message.replacing_original()),
            Err(RunError::User(text)) => Pressed::one(
                Outcome::UserError,
                text.clone(),
                Message::ephemeral(text).replacing_original(),
            ),
            Err(RunError::Internal(e)) => {
                tracing::error!(error = format!("{e:#}"), "a confirmed command failed");
                Pressed::one(
                    Outcome::InternalError,
                    "see logs",
                    Message::ephemeral(
                        "Something went wrong on my side; nothing was started. \
                         The details are in Switchboard's logs.",
                    )
                    .replacing_original(),
                )
            }
        }
    }
}

/// What a command is about to do, in words: the command, its client and
/// branch or snapshot, and where it will run.
fn describe(config: &Config, cmd: &SlashCommand, command: &Command) -> Result<String, RunError> {
    let job = |name: &str, values: &[(&str, &str)]| -> Result<String, RunError> {
        let argv = job_argv(config, name, values, cmd.user.as_str(), "<new>")?.join(" ");
        Ok(format!("by running `{}` as a job", escape(&argv)))
    };
    Ok(match command {
        Command::Deploy {
            client,
            branch,
            issue,
        } => {
            let jenkins = config
                .jenkins
                .as_ref()
                .ok_or_else(|| RunError::User(NO_JENKINS.into()))?;
            let issue = issue
                .as_deref()
                .map(|i| format!(", linking its test bench to *{}*", escape(i)))
                .unwrap_or_default();
            format!(
                "*deploy* client *{}* from branch `{}` through Jenkins job `{}` at {}{issue}",
                escape(client),
                escape(branch),
                escape(&jenkins.job),
                escape(&jenkins.url)
            )
        }
        Command::Backup { client } => format!(
            "*back up* client *{}* {}",
            escape(client),
            job("backup", &[("client", client)])?
        ),
        Command::Restore { client, from } => format!(
            "*restore* client *{}* from snapshot `{}` {}",
            escape(client),
            escape(from),
            job("restore", &[("client", client), ("from", from)])?
        ),
        // Only commands that start work can ask first (the config says so).
        Command::Jobs { .. } => "list jobs".to_owned(),
        Command::Trello { .. } => "change this channel's Trello subscriptions".to_owned(),
    })
}
