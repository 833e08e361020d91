//! Black-box tests of the `switchboard` binary: `serve` on port 0 with Slack
//! and Jenkins faked by wiremock, driven by real signed requests.

mod authority;
mod blockkit;
mod bridge;
mod doctor;
mod harness;
mod hostile;
mod jobs_live;
mod once;
mod poll;
mod scan;
mod secrets;
mod serve;
mod socket;
mod timeouts;
mod trello_subs;
mod unfurl;
