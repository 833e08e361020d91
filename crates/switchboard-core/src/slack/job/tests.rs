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
