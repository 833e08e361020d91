//! Switchboard's core: domain types, the ports every function uses (chat,
//! state, jobs, CI) with their real adapters and fakes, configuration and
//! start-up.

pub mod audit;
pub mod ci;
pub mod clock;
pub mod config;
pub mod edge;
/// In-process fakes of every port, for tests (the `testing` feature).
#[cfg(any(test, feature = "testing"))]
pub mod fakes;
pub mod ids;
pub mod jobs;
pub mod lambda;
pub mod ledger;
pub mod outbound;
pub mod reply;
pub mod runtime;
pub mod secrets;
pub mod services;
pub mod settings;
pub mod slack;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod trello;

/// Test support for other crates' tests too (the `testing` feature).
#[cfg(any(test, feature = "testing"))]
pub mod testing;
