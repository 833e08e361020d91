//! The `/example` slash-command dispatcher, shared by its Lambda and by
//! `switchboard serve`.

pub mod access;
#[cfg(test)]
mod allowlist_matrix;
mod cancel;
pub mod commands;
mod confirm;
#[cfg(test)]
mod faults;
pub mod handler;
pub mod interactions;
mod launch;
mod listing;
pub mod split;
mod trello;

pub use handler::Dispatcher;
pub use switchboard_core::reply::Reply;
