use super::*;
use crate::state::MemoryStore;

#[tokio::test]
async fn only_the_askers_channel_and_own_jobs_are_visible() {
    let store = MemoryStore::new();
    let jobs = JobStore::new(&store);
    for (id, user, channel) in [
        ("aaaaaaaaaaaaaaaa", "U1", "C1"),
        ("bbbbbbbbbbbbbbbb", "U2", "CPRIVATE"),
        ("cccccccccccccccc", "U2", "C1"),
        ("dddddddddddddddd", "U1", "CPRIVATE"),
    ] {
        jobs.save(&JobRecord::new(id, "backup", "acme", user, channel))
            .await
            .expect("save");
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let ids = |records: Vec<JobRecord>| records.into_iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(
        ids(jobs.visible_to("C1", "U3", 10).await.expect("query")),
        ["cccccccccccccccc", "aaaaaaaaaaaaaaaa"]
    );
    assert_eq!(
        ids(jobs.visible_to("C1", "U1", 10).await.expect("query")),
        ["dddddddddddddddd", "cccccccccccccccc", "aaaaaaaaaaaaaaaa"]
    );
    assert_eq!(
        ids(jobs.visible_to("C9", "U1", 1).await.expect("query")),
        ["dddddddddddddddd"]
    );
}

#[tokio::test]
async fn an_update_sees_the_stored_record_and_a_finished_job_stays_finished() {
    let store = MemoryStore::new();
    let jobs = JobStore::new(&store);
    let r = JobRecord::new("aaaaaaaaaaaaaaaa", "backup", "acme", "U1", "C1");
    jobs.save(&r).await.expect("save");
    let cancel = |r: &mut JobRecord| {
        if r.status.is_finished() {
            return false;
        }
        r.status = JobStatus::Cancelled;
        r.cancelled_by = Some("U2".into());
        true
    };
    let (after, applied) = jobs
        .update(&r.sk, cancel)
        .await
        .expect("update")
        .expect("found");
    assert!(applied);
    assert_eq!(after.status, JobStatus::Cancelled);
    // The worker's late "succeeded" does not overwrite the cancel.
    let (after, applied) = jobs
        .update(&r.sk, |r| {
            if r.status.is_finished() {
                return false;
            }
            r.status = JobStatus::Succeeded;
            true
        })
        .await
        .expect("update")
        .expect("found");
    assert!(!applied);
    assert_eq!(
        (after.status, after.cancelled_by.as_deref()),
        (JobStatus::Cancelled, Some("U2"))
    );
    assert!(jobs.update("nope", cancel).await.expect("update").is_none());
}

#[tokio::test]
async fn records_round_trip_newest_first() {
    let store = MemoryStore::new();
    let jobs = JobStore::new(&store);
    let a = JobRecord::new("aaaaaaaaaaaaaaaa", "backup", "acme", "U1", "C1");
    jobs.save(&a).await.expect("save");
    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    let mut b = JobRecord::new("bbbbbbbbbbbbbbbb", "deploy", "acme main", "U2", "C1");
    b.status = JobStatus::Running;
    jobs.save(&b).await.expect("save");
    let recent = jobs.recent(10).await.expect("recent");
    let ids: Vec<&str> = recent.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["bbbbbbbbbbbbbbbb", "aaaaaaaaaaaaaaaa"]);
    assert_eq!(
        jobs.load(&b.sk).await.expect("load").map(|r| r.status),
        Some(JobStatus::Running)
    );
}
