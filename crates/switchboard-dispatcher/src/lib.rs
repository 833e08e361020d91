//! The `/example` slash-command dispatcher, shared by its Lambda and by
//! `switchboard serve`.

pub mod access;
mod cancel;
pub mod commands;
mod confirm;
pub mod handler;
pub mod interactions;
mod launch;
mod listing;
pub mod split;
mod trello;

pub use handler::Dispatcher;
pub use switchboard_core::reply::Reply;

/// Tests that cross modules: the allowlist matrix and store faults.
#[cfg(test)]
mod tests {
    mod allowlist_matrix;
    mod faults;
}
