//! The bridge: pull-request webhooks move tracker issues, and test-bench
//! links are written to them. Shared by its Lambda and `switchboard serve`.

mod events;
mod handler;
mod keys;

pub use handler::{Bridge, Provider};
