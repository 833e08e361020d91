//! `[jenkins]`: the deploy job and how long its builds are waited for.

use serde::Deserialize;
use toml::Spanned;

use super::{Checker, MAX_TIMEOUT_MINUTES, default_timeout_minutes};

#[derive(Debug, Clone)]
pub struct JenkinsConfig {
    pub url: String,
    pub job: String,
    pub client_param: String,
    pub branch_param: String,
    pub poll_seconds: u64,
    pub timeout_minutes: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawJenkins {
    url: Spanned<String>,
    job: Spanned<String>,
    #[serde(default = "default_client_param")]
    client_param: String,
    #[serde(default = "default_branch_param")]
    branch_param: String,
    #[serde(default = "default_poll_seconds")]
    poll_seconds: u64,
    #[serde(default = "default_timeout_minutes")]
    timeout_minutes: u64,
}

fn default_client_param() -> String {
    "CLIENT".into()
}
fn default_branch_param() -> String {
    "BRANCH".into()
}
fn default_poll_seconds() -> u64 {
    10
}

pub(super) fn check(j: &RawJenkins, c: &mut Checker<'_>) -> JenkinsConfig {
    let url = c.url(&j.url, "jenkins.url");
    if j.job.get_ref().trim_matches('/').is_empty() {
        c.fail(j.job.span(), "jenkins.job", "must name the Jenkins job");
    }
    JenkinsConfig {
        url,
        job: j.job.get_ref().trim_matches('/').to_owned(),
        client_param: j.client_param.clone(),
        branch_param: j.branch_param.clone(),
        poll_seconds: j.poll_seconds.clamp(1, 300),
        timeout_minutes: j.timeout_minutes.clamp(1, MAX_TIMEOUT_MINUTES),
    }
}
