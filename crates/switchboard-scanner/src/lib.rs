//! The stale-ticket scanner: lists each configured project's tickets, finds
//! the stale and overdue-review ones, and tells each person about theirs in
//! one digest DM, never twice inside the renotify window or a snooze; once a
//! week it posts a summary to a channel. Shared by its Lambda and by
//! `switchboard scan` / `serve`.

pub mod digest;
pub mod pace;
pub mod rules;
mod schedule;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt as _;
use switchboard_core::config::{Config, ScanProject};
use switchboard_core::ids::UserId;
use switchboard_core::ledger;
use switchboard_core::runtime::Runtime;
use switchboard_core::settings::{LiveConfig, PerConfig};
use switchboard_core::slack::Chat;
use switchboard_core::state::{self, Condition, Item, Key, StateStore};
use switchboard_trackers::{ListedTicket, TicketLister, TrackerError};
use tokio::time::Instant;

use crate::digest::{Line, MAX_PER_DIGEST, ProjectCount};
use crate::pace::{Pace, PerKey};
use crate::rules::{Reason, classify, recipient};

pub use schedule::{summary_due, week_of};

/// Retries of one page after a 429 or 5xx, and the longest wait between.
const PAGE_RETRIES: u32 = 4;
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Slack: about one message per second per channel.
const SLACK_PER_CHANNEL: f64 = 1.0;

/// How one run behaves.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Send nothing and write nothing; report what would be sent.
    pub dry_run: bool,
    /// The time the rules judge by, epoch seconds (default: now).
    pub now: Option<i64>,
    /// Stop reading trackers at this instant, leaving time to send; the
    /// next run resumes where this one stopped.
    pub stop_reading_at: Option<Instant>,
}

impl Options {
    /// Options for a Lambda invocation whose deadline is `deadline_ms`
    /// (epoch milliseconds): reading stops early enough to send.
    pub fn until_deadline(deadline_ms: u64) -> Self {
        let now_ms = u64::try_from(switchboard_core::clock::now_millis()).unwrap_or(0);
        let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms));
        // Keep a quarter of the time, at most two minutes, for the messages.
        let reserve = (left / 4).min(Duration::from_secs(120));
        Self {
            stop_reading_at: Some(Instant::now() + left.saturating_sub(reserve)),
            ..Self::default()
        }
    }
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Report {
    pub pages: usize,
    pub tickets: usize,
    pub findings: usize,
    /// Digests sent and the tickets in them.
    pub digests: usize,
    pub tickets_sent: usize,
    /// Tracker users no Slack user matches.
    pub unmapped: Vec<String>,
    pub summary_posted: bool,
    /// Every project was read to its end.
    pub complete: bool,
    /// Problems that skipped a project or a person; the run went on.
    pub problems: Vec<String>,
    /// Dry run: one JSON object per message that would be sent.
    #[serde(skip)]
    pub planned: Vec<serde_json::Value>,
}

impl Report {
    /// The figures, for the Lambda's answer and the logs.
    pub fn summary_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The Slack client and the tracker listers for one config.
struct Clients {
    chat: Arc<dyn Chat>,
    listers: BTreeMap<String, Arc<dyn TicketLister>>,
}

/// The scanner and what it talks to.
pub struct Scanner {
    config: LiveConfig,
    store: Arc<dyn StateStore>,
    /// Built once per config version, not once per run.
    clients: PerConfig<Clients>,
}

/// One ticket found, waiting to be sent.
struct Finding {
    person: String,
    updated_at: i64,
    line: Line,
}

/// Where the next run starts reading: a project (by label) and a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Cursor {
    project: String,
    page: u32,
}

fn cursor_key() -> Key {
    Key::new("scan#cursor", "position")
}

enum PageError {
    /// The run's reading time is up.
    Deadline,
    Tracker(TrackerError),
}

impl Scanner {
    pub fn new(
        config: LiveConfig,
        store: Arc<dyn StateStore>,
        chat_for: impl Fn(&Config) -> Arc<dyn Chat> + Send + Sync + 'static,
        listers_for: impl Fn(&Config) -> BTreeMap<String, Arc<dyn TicketLister>> + Send + Sync + 'static,
    ) -> Self {
        Self {
            config,
            store,
            clients: PerConfig::new(move |c| Clients {
                chat: chat_for(c),
                listers: listers_for(c),
            }),
        }
    }

    /// The scanner with the process's real Slack and trackers.
    pub fn from_runtime(rt: Runtime) -> Self {
        let store = rt.store.clone();
        let config = rt.config.clone();
        let (http, secrets) = (rt.http.clone(), rt.secrets.clone());
        let rt = Arc::new(rt);
        Self::new(
            config,
            store,
            move |c| Arc::new(rt.slack(c)) as Arc<dyn Chat>,
            move |c| switchboard_trackers::listers_from_config(c, &http, &secrets),
        )
    }

    /// One scan: read, decide, send (unless dry), post the summary when due.
    pub async fn run(&self, options: &Options) -> anyhow::Result<Report> {
        let config = self.config.get(self.store.as_ref()).await;
        let mut report = Report::default();
        let scanner = &config.scanner;
        if scanner.projects.is_empty() {
            tracing::info!("no [[scanner.projects]] configured; nothing to scan");
            report.complete = true;
            return Ok(report);
        }
        let now = options
            .now
            .unwrap_or_else(switchboard_core::clock::now_secs);
        let clients = self.clients.get(&config);
        let (chat, listers) = (&clients.chat, &clients.listers);

        let findings = self
            .read(&config, listers, options, now, &mut report)
            .await?;
        report.findings = findings.len();
        let counts = count(&findings, scanner.summary_oldest);

        let people = self
            .resolve_people(&config, chat.as_ref(), &findings, &mut report)
            .await;
        let slack_pace = PerKey::per_second(SLACK_PER_CHANNEL);
        self.send_digests(
            &config,
            chat.as_ref(),
            &slack_pace,
            findings,
            &people,
            options,
            now,
            &mut report,
        )
        .await;
        self.maybe_summary(
            &config,
            chat.as_ref(),
            &slack_pace,
            &counts,
            options,
            now,
            &mut report,
        )
        .await;
        tracing::info!(
            pages = report.pages,
            tickets = report.tickets,
            findings = report.findings,
            digests = report.digests,
            complete = report.complete,
            dry_run = options.dry_run,
            "scan finished"
        );
        Ok(report)
    }

    /// Reads every project from the cursor on, within the reading time.
    async fn read(
        &self,
        config: &Config,
        listers: &BTreeMap<String, Arc<dyn TicketLister>>,
        options: &Options,
        now: i64,
        report: &mut Report,
    ) -> anyhow::Result<Vec<Finding>> {
        let scanner = &config.scanner;
        let projects = &scanner.projects;
        let cursor: Option<Cursor> = match self.store.get(&cursor_key()).await {
            Ok(item) => item.and_then(|i| serde_json::from_str(&i.value).ok()),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the scan cursor; starting from the top");
                None
            }
        };
        let start = cursor
            .as_ref()
            .and_then(|c| projects.iter().position(|p| p.label() == c.project))
            .unwrap_or(0);
        let start_page = cursor
            .as_ref()
            .filter(|c| projects.get(start).is_some_and(|p| p.label() == c.project))
            .map_or(1, |c| c.page.max(1));
        if start != 0 || start_page != 1 {
            tracing::info!(
                project = projects[start].label(),
                page = start_page,
                "resuming the scan where the last run stopped"
            );
        }
        // Every project once, from the cursor round to just before it.
        let mut plan: Vec<(usize, u32, Option<u32>)> = (0..projects.len())
            .map(|i| {
                let idx = (start + i) % projects.len();
                (idx, if i == 0 { start_page } else { 1 }, None)
            })
            .collect();
        if start_page > 1 {
            plan.push((start, 1, Some(start_page)));
        }

        let paces: HashMap<&str, Pace> = projects
            .iter()
            .map(|p| {
                (
                    p.tracker.as_str(),
                    Pace::per_second(scanner.requests_per_second),
                )
            })
            .collect();
        let stop_at = options.stop_reading_at;
        let mut findings = Vec::new();
        let mut seen = HashSet::new();
        let mut stopped: Option<Cursor> = None;
        report.complete = true;
        for (idx, first, end) in plan {
            let p = &projects[idx];
            let (Some(lister), Some(pace)) =
                (listers.get(&p.tracker), paces.get(p.tracker.as_str()))
            else {
                report
                    .problems
                    .push(format!("{}: the tracker cannot list tickets", p.label()));
                continue;
            };
            let outcome = scan_project(
                lister.as_ref(),
                pace,
                p,
                first,
                end,
                stop_at,
                scanner.concurrency,
                |t| {
                    report.tickets += 1;
                    let Some(reason) = classify(&t, p, now) else {
                        return;
                    };
                    let ticket_key = ledger::ticket_key(&p.tracker, &p.project, &t.key);
                    if !seen.insert(ticket_key.clone()) {
                        return;
                    }
                    let person = recipient(&t).unwrap_or("").to_owned();
                    findings.push(Finding {
                        person,
                        updated_at: t.updated_at.unwrap_or(now),
                        line: Line {
                            project: p.label(),
                            display_id: t.display_id,
                            url: t.url,
                            summary: digest::shorten(&t.summary, 200),
                            reason,
                            ticket_key,
                        },
                    });
                },
            )
            .await;
            report.pages += outcome.pages;
            if let Some(e) = outcome.error {
                tracing::warn!(project = p.label(), error = %e, "skipped the rest of a project");
                report.problems.push(format!("{}: {e}", p.label()));
            }
            if let Some(page) = outcome.stopped_at {
                tracing::warn!(
                    project = p.label(),
                    page,
                    "out of reading time; the next run resumes here"
                );
                report.complete = false;
                stopped = Some(Cursor {
                    project: p.label(),
                    page,
                });
                break;
            }
        }
        if !options.dry_run {
            let next = stopped.unwrap_or(Cursor {
                project: String::new(),
                page: 1,
            });
            if cursor.as_ref() != Some(&next) {
                let item = Item {
                    key: cursor_key(),
                    value: serde_json::to_string(&next)?,
                    expires_at: None,
                };
                if let Err(e) = self.store.put(item, Condition::None).await {
                    tracing::warn!(error = %e, "could not save the scan cursor");
                }
            }
        }
        Ok(findings)
    }

    /// Tracker user → Slack user: the config's map, else an e-mail lookup.
    async fn resolve_people(
        &self,
        config: &Config,
        chat: &dyn Chat,
        findings: &[Finding],
        report: &mut Report,
    ) -> HashMap<String, UserId> {
        let mut out = HashMap::new();
        let mut unmapped = Vec::new();
        let names: std::collections::BTreeSet<&str> =
            findings.iter().map(|f| f.person.as_str()).collect();
        for name in names {
            let mapped = match config.scanner.users.get(name) {
                Some(u) => Some(u.clone()),
                None if name.contains('@') => match chat.lookup_user_by_email(name).await {
                    Ok(found) => found,
                    Err(e) => {
                        tracing::warn!(error = %e, "could not look a user up by e-mail");
                        None
                    }
                },
                None => None,
            };
            match mapped {
                Some(u) => {
                    out.insert(name.to_owned(), u);
                }
                None => {
                    let shown = if name.is_empty() { "(nobody)" } else { name };
                    tracing::info!(user = shown, "no Slack user for a tracker user");
                    unmapped.push(shown.to_owned());
                }
            }
        }
        report.unmapped = unmapped;
        out
    }

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
    async fn send_digests(
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
    async fn maybe_summary(
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
fn count(findings: &[Finding], oldest: usize) -> Vec<ProjectCount> {
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

/// How reading one project ended.
#[derive(Default)]
struct ProjectOutcome {
    pages: usize,
    /// Reading time ran out; this page is where to resume.
    stopped_at: Option<u32>,
    error: Option<TrackerError>,
}

/// Reads pages `first..end` (to the last page without `end`) with up to
/// `concurrency` in flight, handing tickets over in page order.
#[allow(clippy::too_many_arguments)]
async fn scan_project(
    lister: &dyn TicketLister,
    pace: &Pace,
    p: &ScanProject,
    first: u32,
    end: Option<u32>,
    stop_at: Option<Instant>,
    concurrency: usize,
    mut on_ticket: impl FnMut(ListedTicket),
) -> ProjectOutcome {
    let mut outcome = ProjectOutcome::default();
    let page_size = lister.page_size();
    // Some trackers answer a page past the end with the last one again
    // (Trac, when everything fits on one page): a page that repeats the one
    // before ends the project. Only one page of keys is kept, so memory
    // does not grow with the tickets read.
    let mut previous: HashSet<String> = HashSet::new();
    let pages = futures_util::stream::iter(first..end.unwrap_or(u32::MAX))
        .map(|page| async move { (page, fetch_page(lister, pace, p, page, stop_at).await) })
        .buffered(concurrency.max(1));
    futures_util::pin_mut!(pages);
    while let Some((page, result)) = pages.next().await {
        match result {
            Ok(None) => break,
            Ok(Some(tickets)) => {
                outcome.pages += 1;
                let last = tickets.len() < page_size;
                let current: HashSet<String> = tickets.iter().map(|t| t.key.clone()).collect();
                if !current.is_empty() && current.is_subset(&previous) {
                    break;
                }
                tickets.into_iter().for_each(&mut on_ticket);
                if last {
                    break;
                }
                previous = current;
            }
            Err(PageError::Deadline) => {
                outcome.stopped_at = Some(page);
                break;
            }
            Err(PageError::Tracker(e)) => {
                outcome.error = Some(e);
                break;
            }
        }
    }
    outcome
}

/// One page, paced, with retries on 429 and 5xx inside the reading time.
async fn fetch_page(
    lister: &dyn TicketLister,
    pace: &Pace,
    p: &ScanProject,
    page: u32,
    stop_at: Option<Instant>,
) -> Result<Option<Vec<ListedTicket>>, PageError> {
    let past = |at: Instant| stop_at.is_some_and(|s| at >= s);
    let mut attempt = 0;
    loop {
        if past(Instant::now()) {
            return Err(PageError::Deadline);
        }
        pace.wait().await;
        match lister.list_page(&p.project, &p.query, page).await {
            Ok(found) => return Ok(found),
            Err(e) if e.is_transient() && attempt < PAGE_RETRIES => {
                let wait = match &e {
                    TrackerError::Throttled(Some(d)) => *d,
                    _ => Duration::from_millis(500) * 2u32.pow(attempt),
                }
                .min(MAX_BACKOFF);
                if let TrackerError::Throttled(_) = e {
                    pace.hold(wait);
                }
                attempt += 1;
                tracing::warn!(project = p.label(), page, error = %e, wait_ms = wait.as_millis() as u64, "retrying a page");
                if past(Instant::now() + wait) {
                    return Err(PageError::Deadline);
                }
                tokio::time::sleep(wait).await;
            }
            Err(e) => return Err(PageError::Tracker(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use async_trait::async_trait;
    use switchboard_core::fakes::{MemoryStore, RecordingChat};
    use switchboard_core::ids::ChannelId;

    use super::*;

    /// The ledger's entries expire by the real clock, so runs judge at it.
    fn now() -> i64 {
        switchboard_core::clock::now_secs()
    }

    /// A tracker of `pages` full pages of stale tickets, all alice's, that
    /// can be told to throttle or fail its first answers, or to repeat its
    /// last page forever.
    struct FakeLister {
        pages: u32,
        repeat_last: bool,
        per_page: usize,
        throttle_first: AtomicUsize,
        fail_pages_from: Option<u32>,
        delay: Duration,
        calls: Mutex<Vec<u32>>,
    }

    impl FakeLister {
        fn new(pages: u32) -> Self {
            Self {
                pages,
                repeat_last: false,
                per_page: 20,
                throttle_first: AtomicUsize::new(0),
                fail_pages_from: None,
                delay: Duration::ZERO,
                calls: Mutex::new(Vec::new()),
            }
        }

        fn calls(&self) -> Vec<u32> {
            self.calls.lock().expect("calls").clone()
        }
    }

    #[async_trait]
    impl TicketLister for FakeLister {
        async fn list_page(
            &self,
            _project: &str,
            _query: &str,
            page: u32,
        ) -> Result<Option<Vec<ListedTicket>>, TrackerError> {
            self.calls.lock().expect("calls").push(page);
            tokio::time::sleep(self.delay).await;
            if self
                .throttle_first
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok()
            {
                return Err(TrackerError::Throttled(Some(Duration::from_millis(20))));
            }
            if self.fail_pages_from.is_some_and(|f| page >= f) {
                return Err(TrackerError::Unauthorized(401));
            }
            if page > self.pages && !self.repeat_last {
                return Ok(None);
            }
            let page = page.min(self.pages);
            Ok(Some(
                (0..self.per_page)
                    .map(|i| {
                        let id = (page as usize - 1) * self.per_page + i + 1;
                        ListedTicket {
                            key: id.to_string(),
                            display_id: format!("#{id}"),
                            url: format!("https://t.example/{id}"),
                            summary: format!("ticket {id}"),
                            status: "New".into(),
                            assignee: Some("alice".into()),
                            updated_at: Some(now() - 100 * 86_400),
                            ..ListedTicket::default()
                        }
                    })
                    .collect(),
            ))
        }

        fn page_size(&self) -> usize {
            self.per_page
        }
    }

    fn config() -> Config {
        Config::parse(
            r#"
[[trackers]]
name = "cb"
kind = "codebase"
url = "https://acme.codebasehq.com"

[scanner]
requests_per_second = 1000
concurrency = 3

[scanner.users]
alice = "U0ALICE"

[[scanner.projects]]
tracker = "cb"
project = "web"
"#,
            "test",
        )
        .expect("config")
    }

    fn scanner(
        lister: Arc<FakeLister>,
        chat: Arc<RecordingChat>,
        store: Arc<MemoryStore>,
    ) -> Scanner {
        Scanner::new(
            LiveConfig::fixed(config()),
            store,
            move |_| chat.clone() as Arc<dyn Chat>,
            move |_| {
                let mut m: BTreeMap<String, Arc<dyn TicketLister>> = BTreeMap::new();
                m.insert("cb".into(), lister.clone());
                m
            },
        )
    }

    fn at_now() -> Options {
        Options {
            now: Some(now()),
            ..Options::default()
        }
    }

    #[tokio::test]
    async fn reads_every_page_and_retries_a_throttled_one() {
        let lister = Arc::new(FakeLister::new(5));
        lister.throttle_first.store(2, Ordering::SeqCst);
        let chat = Arc::new(RecordingChat::default());
        let store = Arc::new(MemoryStore::new());
        let s = scanner(lister.clone(), chat.clone(), store);
        let report = s.run(&at_now()).await.expect("run");
        assert_eq!(report.tickets, 100);
        assert_eq!(report.findings, 100);
        assert!(report.complete, "{report:?}");
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        // One digest to alice, capped, saying how many wait.
        let sent = chat.messages();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].0, "D0ALICE");
        assert!(
            sent[0]
                .1
                .blocks
                .as_ref()
                .expect("blocks")
                .to_string()
                .contains("80 more")
        );
        assert_eq!(report.tickets_sent, MAX_PER_DIGEST);
    }

    #[tokio::test]
    async fn a_run_out_of_time_resumes_where_it_stopped_and_starves_nothing() {
        let lister = Arc::new(FakeLister {
            delay: Duration::from_millis(50),
            ..FakeLister::new(10)
        });
        let chat = Arc::new(RecordingChat::default());
        let store = Arc::new(MemoryStore::new());
        let s = scanner(lister.clone(), chat, store.clone());
        // Time for a few pages only.
        let short = Options {
            stop_reading_at: Some(Instant::now() + Duration::from_millis(100)),
            ..at_now()
        };
        let first = s.run(&short).await.expect("run");
        assert!(!first.complete);
        // Three pages in flight at a time, 50 ms each: page 10 cannot start
        // before 150 ms, however slow the machine.
        assert!(first.pages < 10, "{first:?}");
        let cursor: Cursor = serde_json::from_str(
            &store
                .get(&cursor_key())
                .await
                .expect("store")
                .expect("cursor")
                .value,
        )
        .expect("cursor json");
        assert_eq!(cursor.page as usize, first.pages + 1);

        lister.calls.lock().expect("calls").clear();
        let second = s.run(&at_now()).await.expect("run");
        assert!(second.complete);
        let calls = lister.calls();
        // The second run starts at the cursor, then wraps to the pages before it.
        assert_eq!(calls[0], cursor.page, "{calls:?}");
        assert_eq!(first.pages + second.pages, 10 + first.pages, "{calls:?}");
        assert!(calls.contains(&1), "the wrap reads page 1 too: {calls:?}");
    }

    #[tokio::test]
    async fn a_tracker_that_repeats_its_last_page_does_not_loop() {
        let lister = Arc::new(FakeLister {
            repeat_last: true,
            ..FakeLister::new(2)
        });
        let chat = Arc::new(RecordingChat::default());
        let store = Arc::new(MemoryStore::new());
        let report = scanner(lister, chat, store)
            .run(&at_now())
            .await
            .expect("run");
        assert_eq!(report.tickets, 40);
        assert_eq!(report.pages, 3, "pages 1 and 2, then page 3 repeats page 2");
        assert_eq!(report.findings, 40);
        assert!(report.complete);
    }

    #[tokio::test]
    async fn a_failing_project_is_reported_and_the_run_goes_on() {
        let lister = Arc::new(FakeLister {
            fail_pages_from: Some(2),
            ..FakeLister::new(5)
        });
        let chat = Arc::new(RecordingChat::default());
        let store = Arc::new(MemoryStore::new());
        let report = scanner(lister, chat.clone(), store)
            .run(&at_now())
            .await
            .expect("run");
        assert_eq!(report.tickets, 20);
        assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
        assert!(report.problems[0].contains("cb/web"));
        assert_eq!(chat.messages().len(), 1, "what was read is still sent");
    }

    #[tokio::test]
    async fn overlapping_runs_send_each_ticket_once() {
        let lister = Arc::new(FakeLister::new(1));
        let chat = Arc::new(RecordingChat::default());
        let store = Arc::new(MemoryStore::new());
        let s = Arc::new(scanner(lister, chat.clone(), store));
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.run(&at_now()).await.expect("run") })
            })
            .collect();
        let mut total = 0;
        for r in runs {
            total += r.await.expect("join").tickets_sent;
        }
        assert_eq!(total, 20, "every ticket once across the runs");
        let in_digests: usize = chat
            .messages()
            .iter()
            .map(|(_, m)| {
                m.blocks
                    .as_ref()
                    .and_then(|b| b.as_array())
                    .map_or(0, |b| b.iter().filter(|b| b["type"] == "actions").count())
            })
            .sum();
        assert_eq!(in_digests, 20);
    }

    /// A chat whose posts all fail.
    struct DownChat(RecordingChat);

    #[async_trait]
    impl Chat for DownChat {
        async fn post_message(
            &self,
            _: &ChannelId,
            _: &switchboard_core::slack::Message,
        ) -> Result<String, switchboard_core::slack::ChatError> {
            Err(switchboard_core::slack::ChatError::RateLimited(
                "chat.postMessage".into(),
            ))
        }
        async fn open_dm(
            &self,
            user: &UserId,
        ) -> Result<ChannelId, switchboard_core::slack::ChatError> {
            self.0.open_dm(user).await
        }
        async fn lookup_user_by_email(
            &self,
            email: &str,
        ) -> Result<Option<UserId>, switchboard_core::slack::ChatError> {
            self.0.lookup_user_by_email(email).await
        }
        async fn respond(
            &self,
            url: &switchboard_core::slack::ResponseUrl,
            m: &switchboard_core::slack::Message,
        ) -> Result<(), switchboard_core::slack::ChatError> {
            self.0.respond(url, m).await
        }
        async fn history(
            &self,
            c: &ChannelId,
            oldest: Option<&str>,
            limit: usize,
        ) -> Result<Vec<switchboard_core::slack::HistoryMessage>, switchboard_core::slack::ChatError>
        {
            self.0.history(c, oldest, limit).await
        }
        async fn unfurl(
            &self,
            t: &switchboard_core::slack::UnfurlTarget,
            cards: &[(String, switchboard_core::slack::Card)],
        ) -> Result<(), switchboard_core::slack::ChatError> {
            self.0.unfurl(t, cards).await
        }
    }

    #[tokio::test]
    async fn a_failed_digest_is_sent_again_next_run() {
        let lister = Arc::new(FakeLister::new(1));
        let store = Arc::new(MemoryStore::new());
        let down = Scanner::new(
            LiveConfig::fixed(config()),
            store.clone(),
            |_| Arc::new(DownChat(RecordingChat::default())) as Arc<dyn Chat>,
            {
                let lister = lister.clone();
                move |_| {
                    let mut m: BTreeMap<String, Arc<dyn TicketLister>> = BTreeMap::new();
                    m.insert("cb".into(), lister.clone());
                    m
                }
            },
        );
        let report = down.run(&at_now()).await.expect("run");
        assert_eq!(report.digests, 0);
        assert_eq!(report.problems.len(), 1);
        let chat = Arc::new(RecordingChat::default());
        let report = scanner(lister, chat.clone(), store)
            .run(&at_now())
            .await
            .expect("run");
        assert_eq!(report.tickets_sent, 20, "nothing was lost to the failure");
    }
}
