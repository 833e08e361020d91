//! Logging set-up shared by every binary.

use tracing_subscriber::EnvFilter;

/// JSON lines on Lambda and ECS (CloudWatch parses them), readable text
/// elsewhere. `RUST_LOG` picks the level; the default is `info`.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let on_aws = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        || std::env::var_os("ECS_CONTAINER_METADATA_URI_V4").is_some();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    // A second init (tests, embedding) is harmless, so its error is ignored.
    let _ = if on_aws {
        builder
            .json()
            .with_current_span(true)
            .without_time()
            .try_init()
    } else {
        builder.with_target(false).try_init()
    };
}
