//! Configs more than one test file uses; the state file is `state.jsonl`
//! in the app's directory.

use crate::trello::BOARD;

/// Slash commands: help and `jobs` for anyone, deploy for UANN through
/// Jenkins (polled every second, for a minute at most).
pub fn commands(jenkins: &str, slack: &str) -> String {
    format!(
        r#"
clients = ["acme"]
[slack]
api_url = "{slack}"
[jenkins]
url = "{jenkins}"
job = "deploy"
poll_seconds = 1
timeout_minutes = 1
[commands.help]
public = true
[commands.deploy]
allow_users = ["UANN"]
[commands.jobs]
public = true
[state]
path = "state.jsonl"
"#
    )
}

/// Every route has work: deploy for UANN through Jenkins, `jobs` for
/// anyone, Jira behind the bridge for SHOP (notes to C0SHOP).
pub fn every_route(jira: &str, slack: &str, jenkins: &str) -> String {
    format!(
        r#"
clients = ["acme"]
[slack]
api_url = "{slack}"
[jenkins]
url = "{jenkins}"
job = "deploy"
[commands.deploy]
allow_users = ["UANN"]
[commands.jobs]
public = true
[[trackers]]
name = "jira"
kind = "jira"
url = "{jira}"
[bridge]
bench_field = "customfield_10050"
[[bridge.projects]]
key = "SHOP"
tracker = "jira"
channel = "C0SHOP"
repos = ["acme/shop"]
[state]
path = "state.jsonl"
"#
    )
}

/// Local jobs (`jobs`, e.g. a `[jobs.restore]` table) with `extra` in
/// `[slack]`: restore for UANN after a confirmation, backup for UANN and
/// UCAT, `jobs` for anyone.
pub fn jobs(slack: &str, jobs: &str, extra: &str) -> String {
    format!(
        r#"
clients = ["acme"]
[slack]
api_url = "{slack}"
{extra}
{jobs}
[commands.restore]
allow_users = ["UANN"]
confirm = true
[commands.backup]
allow_users = ["UANN", "UCAT"]
[commands.jobs]
public = true
[state]
path = "state.jsonl"
"#
    )
}

/// Unfurls from a JSON-RPC Trac within `budget_ms`.
pub fn unfurl(trac: &str, slack: &str, budget_ms: u64) -> String {
    format!(
        r#"
[slack]
api_url = "{slack}"
[unfurl]
budget_ms = {budget_ms}
[[trackers]]
name = "trac"
kind = "trac"
url = "{trac}"
trac_mode = "jsonrpc"
[state]
path = "state.jsonl"
"#
    )
}

/// BOARD posted to C0TEAM every `every_seconds`.
pub fn poller(trello: &str, slack: &str, every_seconds: u64) -> String {
    format!(
        r#"
[slack]
api_url = "{slack}"
[[trackers]]
name = "trello"
kind = "trello"
url = "https://trello.com"
api_url = "{trello}"
[poller]
every_seconds = {every_seconds}
post_interval_ms = 0
[[poller.subscriptions]]
board = "{BOARD}"
channel = "C0TEAM"
[state]
path = "state.jsonl"
"#
    )
}
