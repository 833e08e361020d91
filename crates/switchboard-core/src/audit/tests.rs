use super::*;
use crate::state::MemoryStore;

#[tokio::test]
async fn entries_are_kept_and_listed_newest_first() {
    let store = MemoryStore::new();
    for outcome in ["ok", "denied"] {
        let entry = AuditEntry {
            at: crate::clock::now_secs(),
            team: "T1".into(),
            user: "U1".into(),
            channel: "C1".into(),
            command: "deploy".into(),
            text: "deploy --client acme --branch main".into(),
            outcome: outcome.into(),
            detail: String::new(),
        };
        write(&store, &entry).await.expect("audit");
        tokio::time::sleep(std::time::Duration::from_millis(2)).await;
    }
    let got = recent(&store, 10).await.expect("recent");
    let outcomes: Vec<&str> = got.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["denied", "ok"]);
}
