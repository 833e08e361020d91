//! `trello subscribe|list|unsubscribe`: a channel chooses which Trello
//! boards post to it. What it adds is stored (`core::trello::subs`) and
//! polled beside the config's subscriptions, which win a clash. A board is
//! read from Trello before it is stored, so a board the token cannot read
//! is refused with Trello's reason instead of failing every poll.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::clock::{format_utc, now_secs};
use switchboard_core::config::{
    Config, Subscription, TrackerKind, TrelloActionKind, unique_actions,
};
use switchboard_core::outbound::Http;
use switchboard_core::secrets::{Secrets, tracker_var};
use switchboard_core::settings::PerConfig;
use switchboard_core::slack::{Message, SlashCommand, escape};
use switchboard_core::state::StoreError;
use switchboard_core::trello::subs::{Origin, Stored, SubscriptionStore, in_force};
use switchboard_core::trello::{TrelloApi, TrelloError};

use crate::commands::TrelloAction;
use crate::handler::{Dispatcher, RunError};

/// The board check runs inside Slack's 3 s, beside the store writes.
const BOARD_CHECK_TIMEOUT: Duration = Duration::from_millis(2000);

/// The Trello tracker channel-made subscriptions use, or why there is none.
pub(crate) enum TrelloSetup {
    Ready { tracker: String, api: TrelloApi },
    Missing(String),
}

/// Builds the Trello client for each config: the one `[[trackers]]` entry
/// of kind `trello`, with its key and token.
pub(crate) fn setup(http: Http, secrets: Secrets) -> PerConfig<TrelloSetup> {
    PerConfig::new(move |config: &Config| {
        let trello: Vec<_> = config
            .trackers
            .iter()
            .filter(|t| t.kind == TrackerKind::Trello)
            .collect();
        let t = match trello.as_slice() {
            [only] => only,
            [] => {
                return TrelloSetup::Missing(
                    "Trello is not set up here: the config has no [[trackers]] entry of kind \"trello\"."
                        .into(),
                );
            }
            _ => {
                return TrelloSetup::Missing(
                    "Several Trello trackers are configured, so I can't tell which to use: \
                     ask an admin to add this board to the config's [[poller.subscriptions]]."
                        .into(),
                );
            }
        };
        match TrelloApi::for_tracker(http.client(), t, &secrets) {
            Some(api) => TrelloSetup::Ready {
                tracker: t.name.clone(),
                api: api.with_request_timeout(BOARD_CHECK_TIMEOUT),
            },
            None => TrelloSetup::Missing(format!(
                "Trello has no credentials here: ask an admin to set {} and {}.",
                tracker_var(&t.name, "USER"),
                tracker_var(&t.name, "TOKEN")
            )),
        }
    })
}

impl Dispatcher {
    pub(crate) async fn trello(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
        action: &TrelloAction,
    ) -> Result<Message, RunError> {
        match action {
            TrelloAction::Subscribe {
                board,
                lists,
                actions,
            } => self.subscribe(config, cmd, board, lists, actions).await,
            TrelloAction::List => self.list_boards(config, cmd).await,
            TrelloAction::Unsubscribe { board } => self.unsubscribe(config, cmd, board).await,
        }
    }

    async fn subscribe(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
        board: &str,
        lists: &[String],
        actions: &[TrelloActionKind],
    ) -> Result<Message, RunError> {
        let setup = self.trello.get(config);
        let (tracker, api) = match setup.as_ref() {
            TrelloSetup::Ready { tracker, api } => (tracker, api),
            TrelloSetup::Missing(why) => return Err(RunError::User(why.clone())),
        };
        if from_config(config, cmd, board).is_some() {
            return Err(RunError::User(format!(
                "Board `{board}` already posts here from the config, which decides its filters; \
                 nothing was changed."
            )));
        }
        let name = match api.board(board).await {
            Ok(b) => b.name,
            Err(TrelloError::Refused { status, .. }) => {
                return Err(RunError::User(format!(
                    "Trello says the board does not exist or this token cannot read it \
                     (HTTP {status}), so `{board}` was not added."
                )));
            }
            Err(e) => {
                tracing::warn!(error = %e, board, "could not check a board with Trello");
                return Err(RunError::User(format!(
                    "I couldn't check the board with Trello ({e}), so `{board}` was not added. \
                     Try again in a minute."
                )));
            }
        };
        let store = SubscriptionStore::new(self.store.as_ref());
        let previous = store.get(&cmd.channel, board).await?;
        // A change of filters keeps the original start, so the actions in
        // between are still posted.
        let (added_by, added_at) = match &previous {
            Some(p) => (p.stored.added_by.clone(), p.stored.added_at),
            None => (cmd.user.clone(), now_secs()),
        };
        let stored = Stored {
            sub: Subscription {
                board: board.to_owned(),
                channel: cmd.channel.clone(),
                tracker: tracker.clone(),
                actions: unique_actions(actions),
                lists: lists.to_vec(),
            },
            added_by,
            added_at,
        };
        match store.save(&stored, previous.as_ref()).await {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => {
                return Err(RunError::User(format!(
                    "Someone changed board `{board}`'s subscription here at the same moment; \
                     run `trello list` to see it, then try again."
                )));
            }
            Err(e) => {
                // The write may have landed though its answer did not.
                tracing::error!(error = %e, board, "could not save a Trello subscription");
                return Err(RunError::User(format!(
                    "I couldn't confirm that board `{board}`'s subscription was saved;                      `trello list` shows whether it was."
                )));
            }
        }
        let what = if previous.is_some() {
            "changed what this channel gets from"
        } else {
            "subscribed this channel to"
        };
        Ok(Message::in_channel(format!(
            "<@{}> {what} the Trello board *{}* (`{board}`): {}, from now on.",
            cmd.user,
            escape(&name),
            filters(&stored.sub)
        )))
    }

    async fn list_boards(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
    ) -> Result<Message, RunError> {
        let stored = SubscriptionStore::new(self.store.as_ref())
            .list(Some(&cmd.channel))
            .await?;
        let here: Vec<Subscription> = config
            .poller
            .subscriptions
            .iter()
            .filter(|s| s.channel == cmd.channel)
            .cloned()
            .collect();
        let lines: Vec<String> = in_force(&here, stored)
            .into_iter()
            .map(|(sub, origin)| {
                let source = match origin {
                    Origin::Config => "config".to_owned(),
                    Origin::Added { by, at } => {
                        format!("added by <@{by}> on {}", format_utc(at))
                    }
                };
                format!("• `{}`: {} — {source}", sub.board, filters(&sub))
            })
            .collect();
        if lines.is_empty() {
            return Ok(Message::ephemeral(format!(
                "No Trello boards post to this channel. Add one with `{} trello subscribe <board>`.",
                escape(&cmd.command)
            )));
        }
        Ok(Message::ephemeral(format!(
            "Trello boards posting here:\n{}",
            lines.join("\n")
        )))
    }

    async fn unsubscribe(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
        board: &str,
    ) -> Result<Message, RunError> {
        let store = SubscriptionStore::new(self.store.as_ref());
        if store.get(&cmd.channel, board).await?.is_some() {
            if let Err(e) = store.remove(&cmd.channel, board).await {
                // The write may have landed though its answer did not.
                tracing::error!(error = %e, board, "could not remove a Trello subscription");
                return Err(RunError::User(format!(
                    "I couldn't confirm that board `{board}` was unsubscribed;                      `trello list` shows whether it still posts here."
                )));
            }
            return Ok(Message::in_channel(format!(
                "<@{}> unsubscribed this channel from the Trello board `{board}`.",
                cmd.user
            )));
        }
        if from_config(config, cmd, board).is_some() {
            return Err(RunError::User(format!(
                "Board `{board}` posts here from the config: an admin removes it from \
                 [[poller.subscriptions]]."
            )));
        }
        Err(RunError::User(format!(
            "Board `{board}` does not post to this channel; `trello list` shows the ones that do."
        )))
    }
}

/// The config's subscription of `board` to the command's channel.
fn from_config<'a>(
    config: &'a Config,
    cmd: &SlashCommand,
    board: &str,
) -> Option<&'a Subscription> {
    config
        .poller
        .subscriptions
        .iter()
        .find(|s| s.board == board && s.channel == cmd.channel)
}

/// What a subscription posts, in words.
fn filters(sub: &Subscription) -> String {
    let actions = if sub.actions.is_empty() {
        "new cards, moves, comments and checklist changes".to_owned()
    } else {
        let names: Vec<&str> = sub.actions.iter().map(|a| a.name()).collect();
        names.join(", ")
    };
    if sub.lists.is_empty() {
        actions
    } else {
        let lists: Vec<String> = sub.lists.iter().map(|l| escape(l)).collect();
        format!("{actions} in {}", lists.join(", "))
    }
}
