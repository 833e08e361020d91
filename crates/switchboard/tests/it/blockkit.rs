//! Every kind of message Switchboard builds, at its largest, checked by
//! Slack's own Python SDK (`slack_sdk`'s Block Kit models and their limits),
//! not only by our reading of the limits.

use std::io::Write as _;
use std::process::{Command, Stdio};

use switchboard_core::jobs::{JobRecord, JobStatus};
use switchboard_core::slack::blocks::Button;
use switchboard_core::slack::job::{PROGRESS_LINES, job_message};
use switchboard_core::slack::{Block, Card, Message};
use switchboard_scanner::digest::{Line, MAX_PER_DIGEST, ProjectCount, digest, summary};
use switchboard_scanner::rules::Reason;

/// Where `make test` installed `slack_sdk` (scripts/setup.sh): `$VENV`,
/// else the checkout's `.venv`.
fn python() -> std::path::PathBuf {
    let venv = std::env::var("VENV").unwrap_or_else(|_| ".venv".into());
    // Joining an absolute `$VENV` (CI's) replaces the checkout's root.
    let python = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .join(venv)
        .join("bin/python");
    assert!(
        python.is_file(),
        "{} is missing: run `scripts/setup.sh` (or `make test`), which installs slack_sdk",
        python.display()
    );
    python
}

const VALIDATE: &str = r#"
import json, sys
from slack_sdk.models.blocks import Block
messages = json.load(sys.stdin)
for name, blocks in messages:
    assert len(blocks) <= 50, (name, len(blocks))
    for b in blocks:
        block = Block.parse(b)
        assert block is not None, (name, b)
        block.validate_json()
print(len(messages))
"#;

fn messages() -> Vec<(String, Message)> {
    let mut out = Vec::new();
    let long = "ж<&>".repeat(3000);
    for status in [
        JobStatus::Queued,
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Failed,
        JobStatus::Unknown,
        JobStatus::Cancelled,
    ] {
        let mut r = JobRecord::new("0123456789abcdef", "restore", &long, "UANN", "COPS");
        r.status = status;
        r.detail = long.clone();
        r.progress = vec![long.clone(); PROGRESS_LINES];
        r.link = Some("https://jenkins.example/job/deploy/42/".into());
        r.cancelled_by = Some("UCAT".into());
        out.push((
            format!("job {status:?}"),
            job_message(&r, r.created_at + 90),
        ));
    }
    let card = Card {
        title: long.clone(),
        url: "https://trac.example.com/ticket/1".into(),
        body: long.clone(),
        byline: Some(long.clone()),
        fields: (0..20).map(|i| (format!("f{i}"), long.clone())).collect(),
        context: long.clone(),
    };
    out.push((
        "card".into(),
        Message::in_channel("card").with_blocks(card.to_blocks()),
    ));
    let lines: Vec<Line> = (0..MAX_PER_DIGEST as u32)
        .map(|i| Line {
            project: format!("p{}", i % 3),
            display_id: format!("#{i}"),
            url: format!("https://t.example/{i}"),
            summary: long.clone(),
            reason: Reason::Stale { days: 90 },
            ticket_key: format!("cb/web/{i}"),
        })
        .collect();
    out.push(("digest".into(), digest(&lines, 12, 7)));
    let counts: Vec<ProjectCount> = (0..60)
        .map(|i| ProjectCount {
            project: format!("p{i}"),
            stale: 3,
            review: 1,
            oldest: lines[..3].to_vec(),
        })
        .collect();
    out.push((
        "summary".into(),
        summary(&counts, std::slice::from_ref(&long), false),
    ));
    // The confirmation prompt's shape (crates/switchboard-dispatcher/src/confirm.rs).
    out.push((
        "prompt".into(),
        Message::ephemeral("prompt").with_blocks(vec![
            Block::section(long.clone()),
            Block::Actions(vec![
                Button::new(long.clone(), "sb_confirm", "0".repeat(32)).primary(),
                Button::new("Cancel", "sb_cancel", "0".repeat(32)),
            ]),
            Block::context(long.clone()),
        ]),
    ));
    out
}

#[test]
fn every_message_passes_slacks_own_block_kit_checks() {
    let messages: Vec<(String, serde_json::Value)> = messages()
        .into_iter()
        .map(|(name, m)| (name, m.blocks_json()))
        .collect();
    let mut child = Command::new(python())
        .args(["-c", VALIDATE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start python");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&serde_json::to_vec(&messages).expect("json"))
        .expect("write");
    let out = child.wait_with_output().expect("python ran");
    assert!(
        out.status.success(),
        "slack_sdk refused a message:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        messages.len().to_string()
    );
}
