//! The poller's exactly-once protocol: claim each action, post it, mark it
//! posted, release what surely was not posted, and move the cursor by
//! compare-and-set over what is settled.
//!
//! Exactly once, without a transaction across Slack and the table: each
//! action is claimed (pending, conditional on absence) before it is posted,
//! posted with its id in the message metadata, then marked posted. A run
//! that meets a fresh pending claim leaves the rest of that subscription to
//! its owner; one that meets a stale claim (its run died) looks for the
//! message in Slack before posting again. The cursor only ever moves to the
//! end of an unbroken run of settled actions, by compare-and-set.

use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_core::slack::{ChatError, Message, Posted};
use switchboard_core::state::{Condition, Item, Key, StoreError, once};
use tokio::time::Instant;

use crate::action::{Action, ActionId, Entry};
use crate::format::{self, Marker};
use crate::ledger::{self, CLAIM_SECS, Claim};
use crate::poll::{BATCH, Batch, ChannelRun};

/// How one claim attempt ended.
enum Settled {
    /// Ours to post; the value to compare against when marking it.
    Mine(String),
    /// Already posted (by this subscription, some run); its ts if known.
    Done(String),
    /// Another live run holds it.
    Busy,
}

/// Why a subscription stopped early.
enum Stop {
    /// Another run is on it, or time ran out: the next run carries on.
    Later,
    /// Logged where it happened.
    Failed,
}

impl ChannelRun {
    /// Posts the batch's actions, one message each or under one summary,
    /// and moves the cursor over what is settled.
    pub(crate) async fn deliver(&mut self, batch: Batch, summarise: bool) {
        let pk = ledger::partition(&batch.work.sub);
        let posted_before = self.report.actions_posted;
        let (settled, stop) = if summarise && batch.postable().next().is_some() {
            self.deliver_summarised(&pk, &batch).await
        } else {
            self.deliver_singly(&pk, &batch).await
        };
        match stop {
            Some(Stop::Later) => self.report.deferred += 1,
            Some(Stop::Failed) => self.report.failed += 1,
            None => {}
        }
        let cursor = match settled {
            Some(upto) => self.advance(&batch, &upto).await,
            None => batch.cursor.clone(),
        };
        tracing::info!(
            posted = self.report.actions_posted - posted_before,
            read = batch.entries.len(),
            more = batch.more,
            cursor = %cursor,
            "subscription polled"
        );
    }

    fn time_is_up(&self) -> bool {
        Instant::now() >= self.deadline
    }

    /// One message per action. Returns the last id of the settled prefix.
    async fn deliver_singly(
        &mut self,
        pk: &str,
        batch: &Batch,
    ) -> (Option<ActionId>, Option<Stop>) {
        let sub = &batch.work.sub;
        let mut settled = None;
        for entry in &batch.entries {
            let action = match entry {
                Entry::Skip { id, why } => {
                    tracing::debug!(action = %id, why, "not posted");
                    settled = Some(id.clone());
                    continue;
                }
                Entry::Post(a) => a,
            };
            if self.time_is_up() {
                return (settled, Some(Stop::Later));
            }
            let key = ledger::action_key(pk, &action.id);
            match self.settle(&key, None, |p| p.names(&action.id)).await {
                Err(stop) => return (settled, Some(stop)),
                Ok(Settled::Busy) => return (settled, Some(Stop::Later)),
                Ok(Settled::Done(_)) => settled = Some(action.id.clone()),
                Ok(Settled::Mine(pending)) => {
                    let message = format::single(action, &sub.board, &batch.work.web_url);
                    match self.post(&message).await {
                        Ok(ts) => {
                            self.mark_posted(&key, &pending, ts).await;
                            self.report.actions_posted += 1;
                            settled = Some(action.id.clone());
                        }
                        Err(e) => {
                            self.after_failed_post(&e, &[(key, pending)]).await;
                            return (settled, Some(Stop::Failed));
                        }
                    }
                }
            }
        }
        (settled, None)
    }

    /// A summary in the channel and the actions in its thread, `BATCH` to a
    /// reply. The summary is keyed by the burst's first action, so a run
    /// that follows a crashed one carries on in the same thread.
    async fn deliver_summarised(
        &mut self,
        pk: &str,
        batch: &Batch,
    ) -> (Option<ActionId>, Option<Stop>) {
        let actions: Vec<&Action> = batch.postable().collect();
        let Some(first) = actions.first().map(|a| a.id.clone()) else {
            return (None, None);
        };
        let board = batch.work.sub.board.as_str();
        let skey = ledger::summary_key(pk, &first);
        let thread = match self.settle(&skey, None, |p| p.is_summary(&first)).await {
            Err(stop) => return (None, Some(stop)),
            Ok(Settled::Busy) => return (None, Some(Stop::Later)),
            Ok(Settled::Done(ts)) if !ts.is_empty() => ts,
            Ok(Settled::Done(_)) => {
                tracing::error!("the summary is marked posted without its ts; its actions wait");
                return (None, Some(Stop::Failed));
            }
            Ok(Settled::Mine(pending)) => {
                if self.time_is_up() {
                    self.release(&[(skey, pending)]).await;
                    return (None, Some(Stop::Later));
                }
                match self.post(&format::summary(&actions, board, &first)).await {
                    Ok(ts) => {
                        self.mark_posted(&skey, &pending, ts.clone()).await;
                        ts
                    }
                    Err(e) => {
                        self.after_failed_post(&e, &[(skey, pending)]).await;
                        return (None, Some(Stop::Failed));
                    }
                }
            }
        };

        let mut settled: Option<ActionId> = None;
        let mut examined: Option<ActionId> = None;
        let mut chunk: Vec<(&Action, Key, String)> = Vec::new();
        let mut stop = None;
        for entry in &batch.entries {
            let action = match entry {
                Entry::Skip { id, .. } => {
                    examined = Some(id.clone());
                    if chunk.is_empty() {
                        settled = examined.clone();
                    }
                    continue;
                }
                Entry::Post(a) => a,
            };
            if self.time_is_up() {
                stop = Some(Stop::Later);
                break;
            }
            let key = ledger::action_key(pk, &action.id);
            match self
                .settle(&key, Some(&thread), |p| p.names(&action.id))
                .await
            {
                Err(s) => {
                    stop = Some(s);
                    break;
                }
                Ok(Settled::Busy) => {
                    stop = Some(Stop::Later);
                    break;
                }
                Ok(Settled::Done(_)) => {
                    examined = Some(action.id.clone());
                    if chunk.is_empty() {
                        settled = examined.clone();
                    }
                }
                Ok(Settled::Mine(pending)) => {
                    examined = Some(action.id.clone());
                    chunk.push((action, key, pending));
                    if chunk.len() == BATCH {
                        if !self.flush(&mut chunk, batch, &thread).await {
                            return (settled, Some(Stop::Failed));
                        }
                        settled = examined.clone();
                    }
                }
            }
        }
        if !chunk.is_empty() {
            if !self.flush(&mut chunk, batch, &thread).await {
                return (settled, Some(Stop::Failed));
            }
            settled = examined;
        }
        (settled, stop)
    }

    /// Posts one thread reply for the claimed actions in `chunk`.
    async fn flush(
        &mut self,
        chunk: &mut Vec<(&Action, Key, String)>,
        batch: &Batch,
        thread: &str,
    ) -> bool {
        let actions: Vec<&Action> = chunk.iter().map(|(a, _, _)| *a).collect();
        let message = format::batch(&actions, &batch.work.sub.board, &batch.work.web_url, thread);
        let claims: Vec<(Key, String)> = chunk.drain(..).map(|(_, k, p)| (k, p)).collect();
        match self.post(&message).await {
            Ok(ts) => {
                for (key, pending) in &claims {
                    self.mark_posted(key, pending, ts.clone()).await;
                }
                self.report.actions_posted += claims.len();
                true
            }
            Err(e) => {
                self.after_failed_post(&e, &claims).await;
                false
            }
        }
    }

    /// Claims `key` for this run, or says who has it. A stale pending claim
    /// is looked up in Slack (`thread`, else the channel) with `is_it`
    /// before it is taken over.
    async fn settle(
        &mut self,
        key: &Key,
        thread: Option<&str>,
        is_it: impl Fn(&Marker) -> bool,
    ) -> Result<Settled, Stop> {
        let now = now_secs();
        let mine = Claim::Pending {
            at: now,
            thread: thread.map(str::to_owned),
            owner: Some(once::new_owner()),
        }
        .encode();
        let item = |value: &str| Item {
            key: key.clone(),
            value: value.to_owned(),
            expires_at: Some(now + CLAIM_SECS),
        };
        // Twice: a claim released between the failed write and the read
        // reads as absent and can be won on the second pass.
        for _ in 0..2 {
            // A claim whose answer was lost is read back: our own token
            // means the write was ours.
            let claimed =
                once::put_confirmed(self.store.as_ref(), item(&mine), Condition::Absent).await;
            match claimed {
                Ok(()) => return Ok(Settled::Mine(mine)),
                Err(StoreError::ConditionFailed) => {}
                Err(e) => return Err(self.store_failed(&e)),
            }
            let current = match self.store.get(key).await {
                Ok(Some(c)) => c,
                Ok(None) => continue,
                Err(e) => return Err(self.store_failed(&e)),
            };
            let (at, old_thread) = match Claim::decode(&current.value) {
                Claim::Posted { ts } => return Ok(Settled::Done(ts)),
                Claim::Pending { at, thread, .. } => (at, thread),
            };
            let age = Duration::from_secs(u64::try_from(now - at).unwrap_or(0));
            if age < self.tuning.stale_after {
                return Ok(Settled::Busy);
            }
            tracing::warn!(claim = %key.sk, age_secs = age.as_secs(), "an earlier run died holding this claim; checking Slack for its post");
            let found = match self.find_posted(old_thread, at, &is_it).await {
                Ok(found) => found,
                Err(e) => {
                    tracing::error!(error = %e, "cannot read Slack to settle a stale claim; it waits for the next run");
                    return Err(Stop::Failed);
                }
            };
            let (value, outcome) = match found {
                Some(ts) => {
                    tracing::info!(claim = %key.sk, "the earlier run had posted it");
                    (Claim::Posted { ts: ts.clone() }.encode(), Settled::Done(ts))
                }
                None => (mine.clone(), Settled::Mine(mine.clone())),
            };
            return match self
                .store
                .put(item(&value), Condition::ValueIs(current.value))
                .await
            {
                Ok(()) => Ok(outcome),
                Err(StoreError::ConditionFailed) => Ok(Settled::Busy),
                Err(e) => Err(self.store_failed(&e)),
            };
        }
        Ok(Settled::Busy)
    }

    fn store_failed(&self, e: &StoreError) -> Stop {
        tracing::error!(
            error = format!("{e:#}"),
            "the state store failed; the next run carries on"
        );
        Stop::Failed
    }

    /// The ts of a message in `thread` (or the channel, posted after about
    /// `since`) whose poller metadata satisfies `is_it`.
    async fn find_posted(
        &mut self,
        thread: Option<String>,
        since: i64,
        is_it: &impl Fn(&Marker) -> bool,
    ) -> Result<Option<String>, ChatError> {
        if !self.found.contains_key(&thread) {
            let messages = match &thread {
                Some(ts) => {
                    self.chat
                        .replies(
                            Posted {
                                channel: &self.channel,
                                ts,
                            },
                            self.tuning.history_limit,
                        )
                        .await?
                }
                None => {
                    // Clocks differ; look a little before the claim.
                    let oldest = format!("{}.000000", (since - 300).max(0));
                    self.chat
                        .history(&self.channel, Some(&oldest), self.tuning.history_limit)
                        .await?
                }
            };
            let ours = messages
                .into_iter()
                .filter_map(|m| Some((m.ts, Marker::read(m.metadata.as_ref()?)?)))
                .collect();
            self.found.insert(thread.clone(), ours);
        }
        Ok(self
            .found
            .get(&thread)
            .and_then(|ms| ms.iter().find(|(_, p)| is_it(p)))
            .map(|(ts, _)| ts.clone()))
    }

    async fn post(&mut self, message: &Message) -> Result<String, ChatError> {
        self.pacer.wait().await;
        let ts = self.chat.post_message(&self.channel, message).await?;
        self.report.messages += 1;
        Ok(ts)
    }

    /// Marks a claim posted. If this write is lost, the claim stays pending
    /// and a later run finds the message in Slack, so nothing is posted
    /// twice; the failure is only logged.
    async fn mark_posted(&self, key: &Key, pending: &str, ts: String) {
        let item = Item {
            key: key.clone(),
            value: Claim::Posted { ts }.encode(),
            expires_at: Some(now_secs() + CLAIM_SECS),
        };
        match self
            .store
            .put(item, Condition::ValueIs(pending.to_owned()))
            .await
        {
            Ok(()) => {}
            Err(StoreError::ConditionFailed) => tracing::warn!(
                claim = %key.sk,
                "another run took this claim over while it was being posted"
            ),
            Err(e) => tracing::warn!(
                claim = %key.sk,
                error = format!("{e:#}"),
                "posted, but could not record it; a later run will find the post in Slack"
            ),
        }
    }

    /// After a failed post: when Slack surely did not take the message,
    /// the claims are released so the next run retries at once; when it
    /// may have (a timeout, a dropped connection), they stay pending and
    /// the next run looks in Slack first.
    async fn after_failed_post(&mut self, e: &ChatError, claims: &[(Key, String)]) {
        let unsure = matches!(e, ChatError::Transport { .. });
        tracing::error!(
            error = %e,
            cause = %match e {
                ChatError::Transport { source, .. } => switchboard_core::slack::api::transport_causes(source),
                _ => String::new(),
            },
            unsure,
            "posting to Slack failed; the next run tries again"
        );
        if !unsure {
            self.release(claims).await;
        }
    }

    /// Gives claims up, only where they are still this run's.
    async fn release(&self, claims: &[(Key, String)]) {
        for (key, pending) in claims {
            let expired = Item {
                key: key.clone(),
                value: String::new(),
                expires_at: Some(now_secs() - 1),
            };
            if let Err(e) = self
                .store
                .put(expired, Condition::ValueIs(pending.clone()))
                .await
            {
                tracing::warn!(claim = %key.sk, error = format!("{e:#}"), "could not release a claim; it goes stale instead");
            }
        }
    }

    /// Moves the cursor forward to `upto` by compare-and-set; a cursor
    /// another run moved further is left where it is. Returns the cursor.
    async fn advance(&mut self, batch: &Batch, upto: &ActionId) -> String {
        let key = ledger::cursor_key(&batch.work.sub);
        let mut previous = batch.cursor.clone();
        for _ in 0..5 {
            if upto.as_str() <= previous.as_str() {
                return previous;
            }
            let item = Item {
                key: key.clone(),
                value: upto.to_string(),
                expires_at: None,
            };
            match self
                .store
                .put(item, Condition::ValueIs(previous.clone()))
                .await
            {
                Ok(()) => return upto.to_string(),
                Err(StoreError::ConditionFailed) => match self.store.get(&key).await {
                    Ok(Some(current)) => previous = current.value,
                    Ok(None) => break,
                    Err(e) => {
                        self.store_failed(&e);
                        break;
                    }
                },
                Err(e) => {
                    self.store_failed(&e);
                    break;
                }
            }
        }
        tracing::warn!(
            "the cursor did not move this time; the next run re-reads and skips what is posted"
        );
        previous
    }
}
