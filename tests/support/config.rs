//! Configs more than one test file uses, and the sections they share. The
//! state file is `state.jsonl` in the app's directory.

use crate::trello::BOARD;

/// The state file's section.
pub const STATE: &str = "[state]\npath = \"state.jsonl\"\n";

/// Slash commands: help and `jobs` for anyone, deploy for UANN through
/// Jenkins (polled every second, for a minute at most).
pub fn commands(jenkins: &str, slack: &str) -> String {
    format!(
        "{}[commands.help]\npublic = true\n{STATE}",
        deploy(jenkins, slack, "poll_seconds = 1\ntimeout_minutes = 1\n")
    )
}

/// Every route has work: deploy for UANN through Jenkins, `jobs` for
/// anyone, Jira behind the bridge for SHOP (notes to C0SHOP).
pub fn every_route(jira: &str, slack: &str, jenkins: &str) -> String {
    format!(
        "{}{}{STATE}",
        deploy(jenkins, slack, ""),
        jira_bridge(jira, "bench_field = \"customfield_10050\"\n")
    )
}

/// Deploy (client acme) for UANN through the Jenkins at `jenkins`, with
/// `more` lines in `[jenkins]`, and `jobs` for anyone.
fn deploy(jenkins: &str, slack: &str, more: &str) -> String {
    format!(
        r#"
clients = ["acme"]
[slack]
api_url = "{slack}"
[jenkins]
url = "{jenkins}"
job = "deploy"
{more}[commands.deploy]
allow_users = ["UANN"]
[commands.jobs]
public = true
"#
    )
}

/// Jira at `jira` as tracker `jira`, and the bridge moving SHOP issues
/// there for acme/shop with notes to C0SHOP; `bridge` is the rest of the
/// `[bridge]` table.
pub fn jira_bridge(jira: &str, bridge: &str) -> String {
    format!(
        r#"
[[trackers]]
name = "jira"
kind = "jira"
url = "{jira}"
[bridge]
{bridge}[[bridge.projects]]
key = "SHOP"
tracker = "jira"
channel = "C0SHOP"
repos = ["acme/shop"]
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
{STATE}"#
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
{STATE}"#
    )
}

/// Slack at `slack` and Trello's API at `trello` (tracker `trello`), with
/// `poller` as the `[poller]` table's lines.
pub fn trello(trello: &str, slack: &str, poller: &str) -> String {
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
{poller}"#
    )
}

/// BOARD posted to C0TEAM every `every_seconds`.
pub fn poller(trello_api: &str, slack: &str, every_seconds: u64) -> String {
    format!(
        "{}[[poller.subscriptions]]\nboard = \"{BOARD}\"\nchannel = \"C0TEAM\"\n{STATE}",
        trello(
            trello_api,
            slack,
            &format!("every_seconds = {every_seconds}\npost_interval_ms = 0\n")
        )
    )
}
