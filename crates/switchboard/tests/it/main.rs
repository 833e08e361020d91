//! Black-box tests of the `switchboard` binary, for what needs a process:
//! `serve` on port 0 (its log, Socket Mode from its environment, jobs its
//! worker runs), and the CLI's own commands and output. Slack and Jenkins
//! are faked by wiremock; requests are really signed. Everything that only
//! tests HTTP behaviour runs in-process in tests/e2e (`spawn_app()`).

mod authority;
mod blockkit;
mod doctor;
mod harness;
mod jobs_live;
mod poll;
mod scan;
mod secrets;
mod serve;
mod socket;
