//! The poller Lambda, run by an EventBridge schedule: wiring only.

use std::time::Duration;

use lambda_runtime::{Error, LambdaEvent, service_fn};
use switchboard_core::runtime::Runtime;
use switchboard_poller::{Poller, deadline_from_epoch_ms};

/// Time kept back from the Lambda's deadline for the post in flight (with
/// Slack's own retries) and the cursor write.
const MARGIN: Duration = Duration::from_secs(60);

// Lambda hands a function one event at a time, so one thread serves it;
// worker threads would only add stacks and allocator arenas.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    switchboard_core::telemetry::init();
    let poller = Poller::from_runtime(Runtime::from_env().await?);
    let poller = &poller;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let deadline = deadline_from_epoch_ms(event.context.deadline, MARGIN);
            // Failures are logged per subscription and retried by the next
            // scheduled run, so the invocation itself always succeeds: a
            // Lambda retry would only overlap that run.
            let report = poller.run_once(deadline).await;
            Ok::<_, Error>(serde_json::json!(report))
        },
    ))
    .await
}
