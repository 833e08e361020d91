//! Test-bench links: the one place that decides whether a link may be
//! written to an issue, used by the bench webhook and by the worker after a
//! deploy.

use switchboard_core::config::{BridgeProject, Config};

use crate::{Services, TrackerError};

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error("bridge.bench_field is not configured")]
    NoField,
    #[error("the issue is not a key of a configured bridge project")]
    UnknownIssue,
    #[error("the bench link must be one http(s) URL")]
    BadUrl,
    #[error("the project's tracker is not configured")]
    NoTracker,
    #[error(transparent)]
    Tracker(#[from] TrackerError),
}

/// One http(s) URL, no spaces, of a sane length.
pub fn is_bench_url(url: &str) -> bool {
    let host_and_path = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    host_and_path.is_some_and(|rest| !rest.is_empty() && !rest.starts_with('/'))
        && url.len() <= 2000
        && !url.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// Writes `url` into the configured bench field of issue `key`, with the
/// workflow client of its project's tracker; returns the project.
pub async fn set_bench_link<'c>(
    config: &'c Config,
    services: &Services,
    key: &str,
    url: &str,
) -> Result<&'c BridgeProject, BenchError> {
    let field = config
        .bridge
        .bench_field
        .as_deref()
        .ok_or(BenchError::NoField)?;
    let project = config
        .bridge
        .project_for(key)
        .ok_or(BenchError::UnknownIssue)?;
    if !is_bench_url(url) {
        return Err(BenchError::BadUrl);
    }
    let workflow = services
        .workflow(&project.tracker)
        .ok_or(BenchError::NoTracker)?;
    workflow.set_field(key, field, url).await?;
    Ok(project)
}

#[cfg(test)]
mod tests;
