//! `[[trackers]]`: the issue trackers Switchboard reads, by name.

use serde::Deserialize;
use toml::Spanned;

use super::Checker;

/// The kinds of tracker Switchboard can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TrackerKind {
    Trac,
    Codebase,
    Trello,
    Jira,
    Yandex,
}

/// How to read a Trac: the XML-RPC plugin over JSON or XML, or the export
/// formats every stock Trac serves (CSV and RSS).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TracMode {
    Jsonrpc,
    Xmlrpc,
    Export,
}

/// One tracker. Credentials come from `TRACKER_<NAME>_USER` and
/// `TRACKER_<NAME>_TOKEN` (environment or the AWS secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerConfig {
    pub name: String,
    pub kind: TrackerKind,
    /// Where people's links point (the web UI's base URL).
    pub url: String,
    /// Where the API lives, when it is not under `url`.
    pub api_url: Option<String>,
    pub trac_mode: TracMode,
    /// Yandex Tracker's organisation id (`X-Org-ID`).
    pub org_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTracker {
    name: String,
    kind: TrackerKind,
    url: Spanned<String>,
    api_url: Option<Spanned<String>>,
    #[serde(default = "default_trac_mode")]
    trac_mode: TracMode,
    org_id: Option<String>,
}

fn default_trac_mode() -> TracMode {
    TracMode::Jsonrpc
}

pub(super) fn check(raw: &[Spanned<RawTracker>], c: &mut Checker<'_>) -> Vec<TrackerConfig> {
    let mut trackers: Vec<TrackerConfig> = Vec::new();
    for t in raw {
        let r = t.get_ref();
        let key = format!("trackers.{}", r.name);
        if r.name.is_empty()
            || !r
                .name
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || ch == '-' || ch == '_')
        {
            c.fail(
                t.span(),
                "trackers.name",
                format!("{:?} must be letters, digits, - or _", r.name),
            );
        }
        if trackers.iter().any(|o| o.name == r.name) {
            c.fail(t.span(), &key, "two trackers have this name");
        }
        let url = c.url(&r.url, &format!("{key}.url"));
        let api_url = r
            .api_url
            .as_ref()
            .map(|a| c.url(a, &format!("{key}.api_url")));
        if r.kind == TrackerKind::Yandex && r.org_id.is_none() {
            c.fail(
                t.span(),
                &format!("{key}.org_id"),
                "Yandex Tracker needs the organisation id",
            );
        }
        trackers.push(TrackerConfig {
            name: r.name.clone(),
            kind: r.kind,
            url,
            api_url,
            trac_mode: r.trac_mode,
            org_id: r.org_id.clone(),
        });
    }
    trackers
}
