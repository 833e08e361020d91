//! `[state]`: where the local state file lives.

use std::path::PathBuf;

use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct StateConfig {
    pub path: PathBuf,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawState {
    path: Option<String>,
}

pub(super) fn check(raw: RawState) -> StateConfig {
    StateConfig {
        path: raw
            .path
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".switchboard/state.jsonl")),
    }
}
