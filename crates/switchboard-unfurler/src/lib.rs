//! The link unfurler, shared by its Lambda and by `switchboard serve`.

mod card;
mod handler;

pub use handler::Unfurler;
