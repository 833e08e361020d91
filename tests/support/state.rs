//! What an app's state file holds, read beside the running app.

use switchboard_core::audit;
use switchboard_core::jobs::{JobRecord, JobStore};

use crate::client::Client;

/// The app's ten most recent job records.
pub async fn jobs(app: &Client) -> Vec<JobRecord> {
    JobStore::new(&app.store()).recent(10).await.expect("jobs")
}

/// (command, outcome) of the app's fifty most recent audit entries.
pub async fn audit_outcomes(app: &Client) -> Vec<(String, String)> {
    audit::recent(&app.store(), 50)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| (e.command, e.outcome))
        .collect()
}
