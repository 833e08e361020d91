use super::*;

#[test]
fn stuck_jobs_are_flagged() {
    let mut r = JobRecord::new("0123456789abcdef", "backup", "acme", "U1", "C1");
    let now = r.updated_at;
    assert_eq!(status_text(&r, now + 60), "queued");
    assert_eq!(
        status_text(&r, now + 20 * 60),
        "queued (no news for 20 min)"
    );
    r.status = JobStatus::Succeeded;
    assert_eq!(status_text(&r, now + 20 * 60), "succeeded");
}
