//! The scanner Lambda: wiring only. EventBridge's event carries nothing the
//! scan needs; the invocation's deadline bounds the run.

use lambda_runtime::{LambdaEvent, service_fn};
use switchboard_core::runtime::Runtime;
use switchboard_scanner::{Options, Scanner};

// Lambda hands a function one event at a time, so one thread serves it;
// worker threads would only add stacks and allocator arenas.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    switchboard_core::telemetry::init();
    let scanner = Scanner::from_runtime(Runtime::from_env().await?);
    let scanner = &scanner;
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let options = Options::until_deadline(event.context.deadline);
            let report = scanner.run(&options).await?;
            Ok::<_, lambda_runtime::Error>(report.summary_json())
        },
    ))
    .await
}
