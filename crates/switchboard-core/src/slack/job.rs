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
mod tests {
    use super::*;

    fn record(status: JobStatus) -> JobRecord {
        let mut r = JobRecord::new("0123456789abcdef", "restore", "acme s1", "UANN", "COPS");
        r.status = status;
        r
    }

    #[test]
    fn a_running_job_offers_cancel_and_a_finished_one_does_not() {
        let running = job_message(&record(JobStatus::Running), now());
        let blocks = running.blocks_json();
        let last = blocks.as_array().and_then(|b| b.last()).expect("a block");
        assert_eq!(last["elements"][0]["action_id"], JOB_CANCEL);
        assert!(
            last["elements"][0]["value"]
                .as_str()
                .is_some_and(|v| v.ends_with("#0123456789abcdef"))
        );
        assert!(running.text.contains("01234567") && running.text.contains("running"));

        let mut cancelled = record(JobStatus::Cancelled);
        cancelled.cancelled_by = Some("UBOB".into());
        let m = job_message(&cancelled, now());
        let json = m.blocks_json().to_string();
        assert!(!json.contains(JOB_CANCEL), "{json}");
        assert!(m.text.contains("cancelled by <@UBOB>"), "{}", m.text);
    }

    #[test]
    fn every_text_stays_within_block_kit_limits() {
        let mut r = record(JobStatus::Failed);
        r.summary = "s".repeat(5000);
        r.detail = "<&>".repeat(4000);
        r.progress = vec!["p".repeat(4000); PROGRESS_LINES];
        r.link = Some("https://jenkins.example/job/deploy/42/".into());
        let m = job_message(&r, now());
        assert!(m.text.chars().count() <= MAX_TEXT);
        for block in m.blocks_json().as_array().cloned().expect("blocks") {
            let text = block["text"]["text"]
                .as_str()
                .or_else(|| block["elements"][0]["text"].as_str())
                .unwrap_or_default();
            assert!(text.chars().count() <= MAX_TEXT, "{block}");
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(42), "42 s");
        assert_eq!(duration(125), "2 min 5 s");
        assert_eq!(duration(7260), "2 h 1 min");
        assert_eq!(duration(-5), "0 s");
    }

    fn now() -> i64 {
        crate::clock::now_secs()
    }
}
