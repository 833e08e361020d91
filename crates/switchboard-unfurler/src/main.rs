//! The unfurler Lambda: wiring only.

use switchboard_core::runtime::Runtime;
use switchboard_unfurler::Unfurler;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    switchboard_core::telemetry::init();
    let unfurler = Unfurler::from_runtime(Runtime::from_env().await?)?;
    switchboard_core::lambda::serve(&unfurler).await
}
