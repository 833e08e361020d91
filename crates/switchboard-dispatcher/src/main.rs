//! The dispatcher Lambda: wiring only.

use std::sync::Arc;

use switchboard_core::runtime::Runtime;
use switchboard_dispatcher::Dispatcher;

// Lambda hands a function one event at a time, so one thread serves it;
// worker threads would only add stacks and allocator arenas.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    switchboard_core::telemetry::init();
    let dispatcher = Dispatcher::from_runtime(Runtime::from_env().await?)?;
    switchboard_core::lambda::serve(Arc::new(dispatcher).edge()).await
}
