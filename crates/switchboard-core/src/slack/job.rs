//! A job's one live message: what the channel sees of a deploy, backup or
//! restore from queued to its end, rendered from the job record alone so
//! the dispatcher (queued, cancelled) and the worker (progress, result)
//! draw the same message.

use super::blocks::{Block, Button, MAX_TEXT};
use super::{Message, escape};
use crate::ids::short_job_id;
use crate::jobs::{JobRecord, JobStatus};
use crate::text::{Cut, shorten};

/// The action id of a running job's Cancel button; its value is the job
/// record's sort key.
pub const JOB_CANCEL: &str = "sb_job_cancel";

/// Progress lines a message keeps (the newest).
pub const PROGRESS_LINES: usize = 6;

fn icon(status: JobStatus) -> &'static str {
    match status {
        JobStatus::Queued => ":hourglass_flowing_sand:",
        JobStatus::Running => ":arrows_counterclockwise:",
        JobStatus::Succeeded => ":white_check_mark:",
        JobStatus::Failed => ":x:",
        JobStatus::Unknown => ":grey_question:",
        JobStatus::Cancelled => ":no_entry_sign:",
    }
}

/// How long the job has taken so far (or took), for people.
fn duration(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// The job's message as it stands in `record` at `now` (epoch seconds).
pub fn job_message(record: &JobRecord, now: i64) -> Message {
    let id = short_job_id(&record.id);
    let status = match (&record.cancelled_by, record.status) {
        (Some(by), JobStatus::Cancelled) => format!("cancelled by <@{by}>"),
        (_, status) => status.label().to_owned(),
    };
    let end = if record.status.is_finished() {
        record.updated_at
    } else {
        now
    };
    let headline = format!(
        "{} *{}* `{}` — job `{id}`: *{status}*",
        icon(record.status),
        escape(&record.command),
        escape(&record.summary),
    );
    let mut facts = format!(
        "Requested by <@{}> · {}",
        record.requested_by,
        duration(end - record.created_at)
    );
    if let Some(link) = &record.link {
        facts.push_str(&format!(
            " · <{}|details>",
            link.replace(['<', '>', '|'], "")
        ));
    }
    let mut blocks = vec![Block::section(headline), Block::context(facts)];
    if !record.progress.is_empty() {
        let lines: Vec<String> = record.progress.iter().map(|l| format!("• {l}")).collect();
        blocks.push(Block::section(lines.join("\n")));
    }
    // Output can hold anything a tool prints, so the channel sees it only
    // when it explains a failure.
    if matches!(record.status, JobStatus::Failed | JobStatus::Unknown) && !record.detail.is_empty()
    {
        let budget = MAX_TEXT - 8;
        blocks.push(Block::section(format!(
            "```\n{}\n```",
            shorten(&escape(&record.detail), budget, Cut::Ellipsis)
        )));
    }
    if !record.status.is_finished() {
        blocks.push(Block::Actions(vec![
            Button::new("Cancel", JOB_CANCEL, &record.sk).danger(),
        ]));
    }
    let text = format!(
        "Job {id} ({} {}): {status}",
        record.command,
        escape(&record.summary)
    );
    Message::in_channel(shorten(&text, MAX_TEXT, Cut::Ellipsis)).with_blocks(blocks)
}

#[cfg(test)]
mod tests;
