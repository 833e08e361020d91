//! The dispatcher Lambda: wiring only.

use switchboard_core::runtime::Runtime;
use switchboard_dispatcher::Dispatcher;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    switchboard_core::telemetry::init();
    let dispatcher = Dispatcher::from_runtime(Runtime::from_env().await?)?;
    switchboard_core::lambda::serve(&dispatcher).await
}
