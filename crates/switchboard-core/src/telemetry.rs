//! Logging set-up shared by every binary.

use std::io::IsTerminal as _;
use std::str::FromStr as _;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt as _;
use tracing_subscriber::util::SubscriberInitExt as _;

/// JSON lines on Lambda and ECS (CloudWatch parses them), readable text
/// elsewhere. `RUST_LOG` picks levels (`info`, `switchboard_core=debug,warn`);
/// the default is `info`. `Targets` is used rather than `EnvFilter` because
/// it needs no regex engine, which keeps every binary smaller and its cold
/// start lighter.
pub fn init() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| Targets::from_str(&v).ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let on_aws = std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some()
        || std::env::var_os("ECS_CONTAINER_METADATA_URI_V4").is_some();
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (tests, embedding) is harmless, so its error is ignored.
    let _ = if on_aws {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .json()
                    .with_current_span(true)
                    .without_time()
                    .with_writer(std::io::stderr),
            )
            .try_init()
    } else {
        registry
            .with(
                tracing_subscriber::fmt::layer()
                    .with_target(false)
                    .with_ansi(std::io::stderr().is_terminal())
                    .with_writer(std::io::stderr),
            )
            .try_init()
    };
}
