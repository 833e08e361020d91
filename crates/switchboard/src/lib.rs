//! Switchboard's command line as a library: `main.rs` parses the command
//! line and calls these, and the end-to-end tests (`tests/`) build the app
//! `serve` runs in-process (`serve::app`) instead of starting the binary.

pub mod doctor;
pub mod local;
pub mod manifest;
pub mod poll;
pub mod scan;
pub mod send;
pub mod serve;
pub mod socket;
