//! The bridge Lambda: wiring only.

use std::sync::Arc;
use switchboard_bridge::Bridge;

use switchboard_core::runtime::Runtime;

// Lambda hands a function one event at a time, so one thread serves it;
// worker threads would only add stacks and allocator arenas.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    switchboard_core::telemetry::init();
    let bridge = Bridge::from_runtime(Runtime::from_env().await?);
    switchboard_core::lambda::serve(Arc::new(bridge).edge()).await
}
