//! End-to-end tests of the app `switchboard serve` runs, started in this
//! process by `spawn_app()` with Slack, Jenkins and the trackers faked by
//! wiremock, driven by real signed requests. What needs a process of its
//! own is in crates/switchboard/tests/it.

mod authority;
mod bridge;
mod hostile;
mod jobs_live;
mod once;
mod poll;
mod serve;
mod spawn_app;
mod timeouts;
mod trello_subs;
mod unfurl;
