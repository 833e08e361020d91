//! Reading the trackers' pages, paced and retried, resuming from the cursor
//! where the last run ran out of time.

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt as _;
use switchboard_core::config::{Config, ScanProject};
use switchboard_core::ledger;
use switchboard_core::outbound::{Backoff, Pace, Stop, TooLong};
use switchboard_core::state::{Condition, Item, Key};
use switchboard_core::text::{Cut, shorten};
use switchboard_trackers::{ListedTicket, Services, TicketLister, TrackerError};
use tokio::time::Instant;

use crate::digest::Line;
use crate::rules::{classify, recipient};
use crate::{Finding, Options, Report, Scanner};

/// Retries of one page after a 429 or 5xx, and the longest wait between.
const PAGE_RETRIES: Backoff = Backoff {
    first: Duration::from_millis(500),
    max: Duration::from_secs(30),
    retries: 4,
    too_long: TooLong::WaitMax,
};

/// Where the next run starts reading: a project (by label) and a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Cursor {
    pub(crate) project: String,
    pub(crate) page: u32,
}

pub(crate) fn cursor_key() -> Key {
    Key::new("scan#cursor", "position")
}

enum PageError {
    /// The run's reading time is up.
    Deadline,
    Tracker(TrackerError),
}

impl Scanner {
    /// Reads every project from the cursor on, within the reading time.
    pub(crate) async fn read(
        &self,
        config: &Config,
        services: &Services,
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
                (services.lister(&p.tracker), paces.get(p.tracker.as_str()))
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
                            summary: shorten(&t.summary, 200, Cut::Ellipsis),
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
    let mut retries = PAGE_RETRIES.start(stop_at);
    loop {
        if past(Instant::now()) {
            return Err(PageError::Deadline);
        }
        pace.wait().await;
        let e = match lister.list_page(&p.project, &p.query, page).await {
            Ok(found) => return Ok(found),
            Err(e) if e.is_transient() => e,
            Err(e) => return Err(PageError::Tracker(e)),
        };
        let asked = match &e {
            TrackerError::Throttled(asked) => *asked,
            _ => None,
        };
        let wait = match retries.next(asked) {
            Ok(wait) => wait,
            Err(Stop::Deadline) => return Err(PageError::Deadline),
            Err(Stop::GaveUp) => return Err(PageError::Tracker(e)),
        };
        // A throttled tracker slows every page of the project, not only this one.
        if let TrackerError::Throttled(_) = e {
            pace.hold(wait);
        }
        tracing::warn!(project = p.label(), page, error = %e, wait_ms = wait.as_millis() as u64, "retrying a page");
        tokio::time::sleep(wait).await;
    }
}
