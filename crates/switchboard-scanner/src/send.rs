//! Claiming each ticket in the ledger, sending the digests, and posting the
//! weekly summary once.

use std::collections::{BTreeMap, HashMap};

use switchboard_core::config::Config;
use switchboard_core::ids::UserId;
use switchboard_core::ledger;
use switchboard_core::slack::Chat;
use switchboard_core::state::{self, Key};

use crate::digest::{self, Line, MAX_PER_DIGEST, ProjectCount};
use crate::rules::Reason;
use crate::{Finding, Options, Report, Scanner, summary_due};
use switchboard_core::outbound::PerKey;

impl Scanner {
    /// Whether `f` may go to `user` now: `None` while it is quiet for them
    /// (or the ledger cannot say). A dry run only reads the ledger; a real
    /// run claims the send and returns what the claim replaced, for
    /// `ledger::unclaim` if the message then fails.
    async fn admit(
        &self,
        user: &UserId,
        f: &Finding,
        dry_run: bool,
        now: i64,
        renotify: i64,
        report: &mut Report,
    ) -> Option<Option<ledger::Entry>> {
        let store = self.store.as_ref();
        let key = &f.line.ticket_key;
        let admitted = if dry_run {
            ledger::get(store, user, key)
                .await
                .map(|entry| entry.is_none_or(|e| e.quiet_until <= now).then_some(None))
        } else {
            ledger::claim_send(store, user, key, f.line.reason.code(), now, renotify).await
        };
        admitted.unwrap_or_else(|e| {
            report.problems.push(format!("ledger: {e}"));
            None
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_digests(
        &self,
        config: &Config,
        chat: &dyn Chat,
        slack_pace: &PerKey,
        findings: Vec<Finding>,
        people: &HashMap<String, UserId>,
        options: &Options,
        now: i64,
        report: &mut Report,
    ) {
        let scanner = &config.scanner;
        let renotify = i64::from(scanner.renotify_days) * 86_400;
        let mut by_person: BTreeMap<&UserId, Vec<Finding>> = BTreeMap::new();
        for f in findings {
            if let Some(user) = people.get(&f.person) {
                by_person.entry(user).or_default().push(f);
            }
        }
        for (user, mut found) in by_person {
            // The longest-forgotten first, so a full digest holds the worst.
            found.sort_by_key(|f| f.updated_at);
            let mut lines = Vec::new();
            let mut claimed = Vec::new();
            let mut more = 0;
            for f in found {
                if !options.dry_run && lines.len() >= MAX_PER_DIGEST {
                    more += 1;
                    continue;
                }
                let Some(previous) = self
                    .admit(user, &f, options.dry_run, now, renotify, report)
                    .await
                else {
                    continue;
                };
                if options.dry_run {
                    report.planned.push(serde_json::json!({
                        "to": user.as_str(),
                        "tracker_user": f.person,
                        "project": f.line.project,
                        "ticket": f.line.display_id,
                        "url": f.line.url,
                        "reason": f.line.reason,
                    }));
                    if lines.len() >= MAX_PER_DIGEST {
                        more += 1;
                        continue;
                    }
                } else {
                    claimed.push((f.line.ticket_key.clone(), previous));
                }
                lines.push(f.line);
            }
            if lines.is_empty() || options.dry_run {
                report.digests += usize::from(!lines.is_empty());
                report.tickets_sent += lines.len();
                continue;
            }
            let message = digest::digest(&lines, more, scanner.snooze_days);
            let sent = async {
                let dm = chat.open_dm(user).await?;
                slack_pace.wait(dm.as_str()).await;
                chat.post_message(&dm, &message).await
            }
            .await;
            match sent {
                Ok(_) => {
                    report.digests += 1;
                    report.tickets_sent += lines.len();
                    for line in &lines {
                        let entry = ledger::Sent {
                            at: now,
                            person: user.to_string(),
                            ticket: line.ticket_key.clone(),
                            reason: line.reason.code().to_owned(),
                        };
                        if let Err(e) = ledger::log_sent(self.store.as_ref(), &entry).await {
                            tracing::warn!(error = %e, "could not log a sent message");
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(user = %user, error = %e, "could not send a digest; it is tried again next run");
                    report.problems.push(format!("digest to {user}: {e}"));
                    for (ticket, previous) in claimed {
                        if let Err(e) =
                            ledger::unclaim(self.store.as_ref(), user, &ticket, previous).await
                        {
                            tracing::warn!(error = %e, "could not release a ledger claim");
                        }
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn maybe_summary(
        &self,
        config: &Config,
        chat: &dyn Chat,
        slack_pace: &PerKey,
        counts: &[ProjectCount],
        options: &Options,
        now: i64,
        report: &mut Report,
    ) {
        let scanner = &config.scanner;
        let Some(channel) = &scanner.channel else {
            return;
        };
        let due = match summary_due(scanner, now) {
            Ok(due) => due,
            Err(e) => {
                report.problems.push(e.to_string());
                return;
            }
        };
        let Some(week) = due else {
            return;
        };
        let message = digest::summary(counts, &report.unmapped, report.complete);
        if options.dry_run {
            report.planned.push(serde_json::json!({
                "summary_to": channel.as_str(),
                "week": week,
                "projects": counts.iter().map(|c| serde_json::json!({
                    "project": c.project, "stale": c.stale, "review": c.review,
                })).collect::<Vec<_>>(),
                "unmapped": report.unmapped,
            }));
            return;
        }
        let key = Key::new("scan#summary", &week);
        // A week's summary is posted once, whichever run gets there first.
        match state::claim(self.store.as_ref(), key.clone(), now + 14 * 86_400).await {
            Ok(true) => {}
            Ok(false) => return,
            Err(e) => {
                report.problems.push(format!("summary claim: {e}"));
                return;
            }
        }
        slack_pace.wait(channel.as_str()).await;
        match chat.post_message(channel, &message).await {
            Ok(_) => report.summary_posted = true,
            Err(e) => {
                tracing::warn!(error = %e, "could not post the weekly summary; the next run tries again");
                report.problems.push(format!("summary: {e}"));
                if let Err(e) = state::release(self.store.as_ref(), key).await {
                    tracing::warn!(error = %e, "could not release the summary claim");
                }
            }
        }
    }
}

/// Per-project counts and the oldest tickets, for the summary.
pub(crate) fn count(findings: &[Finding], oldest: usize) -> Vec<ProjectCount> {
    type Aged<'a> = Vec<(i64, &'a Line)>;
    let mut by: BTreeMap<&str, (ProjectCount, Aged<'_>)> = BTreeMap::new();
    for f in findings {
        let (c, old) = by.entry(&f.line.project).or_insert_with(|| {
            (
                ProjectCount {
                    project: f.line.project.clone(),
                    ..ProjectCount::default()
                },
                Vec::new(),
            )
        });
        match f.line.reason {
            Reason::Stale { .. } => c.stale += 1,
            Reason::Review { .. } => c.review += 1,
        }
        old.push((f.updated_at, &f.line));
    }
    by.into_values()
        .map(|(mut c, mut old)| {
            old.sort_by_key(|(at, _)| *at);
            c.oldest = old
                .into_iter()
                .take(oldest)
                .map(|(_, l)| l.clone())
                .collect();
            c
        })
        .collect()
}
