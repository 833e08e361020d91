//! The bridge Lambda: wiring only.

use switchboard_bridge::Bridge;
use switchboard_core::runtime::Runtime;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    switchboard_core::telemetry::init();
    let bridge = Bridge::from_runtime(Runtime::from_env().await?);
    switchboard_core::lambda::serve(&bridge).await
}
