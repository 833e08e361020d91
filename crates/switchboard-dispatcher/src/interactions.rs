//! `POST /slack/interactions`: the scanner's "Snooze 7 days" and "Still
//! valid" buttons (recorded in the ledger the scanner reads), a prompt's
//! Confirm and Cancel, and a job message's Cancel. Every press is audited
//! and answered through its `response_url`.

use switchboard_core::audit::Outcome;
use switchboard_core::audit::{self, AuditEntry};
use switchboard_core::clock::{format_utc, now_secs};
use switchboard_core::config::Config;
use switchboard_core::edge::Verified;
use switchboard_core::ledger::{self, Quiet};
use switchboard_core::reply::Reply;
use switchboard_core::slack::interaction::{ButtonPress, Interaction};
use switchboard_core::slack::{Chat, Message};

use crate::confirm::{CANCEL, CONFIRM, Pressed};
use crate::handler::Dispatcher;
use switchboard_core::slack::job::JOB_CANCEL;

pub use switchboard_core::ledger::{SNOOZE, STILL_VALID};

impl Dispatcher {
    /// Handles a verified `POST /slack/interactions`.
    pub async fn interaction(&self, req: &Verified) -> Reply {
        let presses = match Interaction::from_form(req.body()) {
            Ok(Interaction::Buttons(presses)) => presses,
            Ok(Interaction::Other(kind)) => {
                tracing::info!(kind, "ignored an interaction Switchboard does not use");
                return Reply::plain(200, "");
            }
            Err(e) => {
                tracing::warn!(error = %e, "rejected a malformed interaction");
                return Reply::plain(400, &e.to_string());
            }
        };
        let config = self.config.get(self.store.as_ref()).await;
        for press in &presses {
            let pressed = if !config.slack.admits_team(press.team.as_ref()) {
                Pressed::one(
                    Outcome::Denied,
                    "team not in slack.team_ids",
                    Message::ephemeral(crate::handler::FOREIGN_TEAM),
                )
            } else {
                match press.action_id.as_str() {
                    CONFIRM | CANCEL => self.answer_prompt(&config, press).await,
                    JOB_CANCEL => self.cancel_pressed(&config, press).await,
                    _ => {
                        let (outcome, text) = self.press(&config, press).await;
                        Pressed::one(outcome, "", Message::ephemeral(text))
                    }
                }
            };
            tracing::info!(
                action = press.action_id,
                outcome = pressed.outcome.as_str(),
                "button pressed"
            );
            let entry = AuditEntry {
                at: now_secs(),
                team: press
                    .team
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                user: press.user.to_string(),
                channel: String::new(),
                command: format!("button:{}", press.action_id),
                text: press.value.clone(),
                outcome: pressed.outcome.as_str().to_owned(),
                detail: pressed.detail,
            };
            audit::record(self.store.as_ref(), &entry).await;
            if let Some(url) = &press.response_url {
                for reply in &pressed.replies {
                    if let Err(e) = self.responder().respond(url, reply).await {
                        tracing::warn!(error = %e, "could not answer a button press");
                    }
                }
            }
        }
        Reply::plain(200, "")
    }

    /// Records one press; returns the audit outcome and what to tell them.
    async fn press(&self, config: &Config, press: &ButtonPress) -> (Outcome, String) {
        let Some((tracker, project, key)) = ledger::split_ticket_key(&press.value) else {
            return (
                Outcome::UserError,
                "That button does not name a ticket Switchboard knows; nothing was changed.".into(),
            );
        };
        let scanner = &config.scanner;
        let rules = scanner
            .projects
            .iter()
            .find(|p| p.tracker == tracker && p.project == project);
        let now = now_secs();
        let (until, why, days) = match press.action_id.as_str() {
            SNOOZE => (
                now + i64::from(scanner.snooze_days) * 86_400,
                Quiet::Snoozed,
                scanner.snooze_days,
            ),
            STILL_VALID => {
                // Vouched for: it is not stale again until a full stale window passes.
                let days = rules.map_or(60, |r| r.stale_days);
                (now + i64::from(days) * 86_400, Quiet::StillValid, days)
            }
            other => {
                tracing::warn!(action = other, "unknown button");
                return (
                    Outcome::UserError,
                    "Switchboard does not know that button; nothing was changed.".into(),
                );
            }
        };
        match ledger::quiet(self.store.as_ref(), &press.user, &press.value, until, why).await {
            Ok(entry) => {
                let date = &format_utc(entry.quiet_until)[..10];
                let what = format!("#{key}");
                let text = match why {
                    Quiet::Snoozed => format!(
                        "Snoozed {what} for {days} days: you won't hear about it again before {date}."
                    ),
                    _ => format!(
                        "Thanks: {what} is marked still valid. You won't hear about it again before {date}."
                    ),
                };
                (Outcome::Ok, text)
            }
            Err(e) => {
                tracing::error!(
                    error = format!("{:#}", anyhow::Error::new(e)),
                    "could not record a button press"
                );
                (
                    Outcome::InternalError,
                    "Something went wrong on my side and the press was not recorded; please try again."
                        .into(),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests;
