//! The CI server port and its Jenkins adapter. Jenkins with an API token
//! needs no crumb; a triggered build first lives in the queue, and only the
//! queue item tells its build number, so numbers are never guessed.

use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::secrets::Secret;

mod cancel;

/// A queued build request, known by Jenkins' queue item URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueItem {
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    pub number: u64,
    pub url: String,
}

/// A build request found after its trigger's answer was lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Found {
    Queued(QueueItem),
    Started(Build),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueState {
    Waiting(Option<String>),
    Started(Build),
    Cancelled,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BuildState {
    Running,
    Finished(Finished),
}

/// How a build ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finished {
    /// Jenkins' result word: SUCCESS, FAILURE, UNSTABLE, ABORTED, …
    pub result: String,
    /// The build's description, where a job can report e.g. its test bench.
    pub description: Option<String>,
}

impl Finished {
    /// The first http(s) URL in the description.
    pub fn reported_url(&self) -> Option<String> {
        let text = self.description.as_deref()?;
        let start = text.find("https://").or_else(|| text.find("http://"))?;
        let url: String = text[start..]
            .chars()
            .take_while(|c| !c.is_whitespace() && !"\"'<>".contains(*c))
            .collect();
        (url.len() > "https://".len()).then_some(url)
    }
}

/// What cancelling a build came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CancelOutcome {
    /// It was waiting in the queue and was removed.
    Dequeued,
    /// It was running and was asked to abort.
    Aborted(Build),
    /// It had ended, or left the queue cancelled, before we asked.
    AlreadyFinished,
}

#[derive(Debug, thiserror::Error)]
pub enum CiError {
    #[error("Jenkins is not configured ([jenkins] in switchboard.toml)")]
    NotConfigured,
    #[error("Jenkins did not answer ({0})")]
    Unreachable(String),
    /// The request reached Jenkins (or may have) and no answer came: the
    /// build may be queued.
    #[error("Jenkins did not answer in time ({0}); the build may be queued")]
    Unknown(String),
    #[error("Jenkins refused our credentials (HTTP {0}); check JENKINS_USER and JENKINS_TOKEN")]
    Auth(u16),
    #[error("Jenkins has no job {0}")]
    NoSuchJob(String),
    #[error("Jenkins answered HTTP {0}")]
    Status(u16),
    #[error("Jenkins answered without the expected {0}")]
    Protocol(&'static str),
    #[error("Jenkins no longer has the {0}")]
    Gone(&'static str),
}

#[async_trait]
pub trait CiServer: Send + Sync {
    async fn trigger(&self, job: &str, params: &[(String, String)]) -> Result<QueueItem, CiError>;
    async fn queue_state(&self, item: &QueueItem) -> Result<QueueState, CiError>;
    async fn build_state(&self, build: &Build) -> Result<BuildState, CiError>;
    /// Looks for a build of `job` with exactly these parameters, queued or
    /// started at or after `since_ms` (epoch milliseconds by Jenkins' clock).
    async fn find(
        &self,
        job: &str,
        params: &[(String, String)],
        since_ms: i64,
    ) -> Result<Option<Found>, CiError>;
    /// Cancels the build behind `link` (a queue item URL or a build URL):
    /// a waiting queue item is removed, a running build is aborted.
    async fn cancel(&self, link: &str) -> Result<CancelOutcome, CiError>;
}

#[derive(Debug, Clone)]
pub struct Jenkins {
    http: reqwest::Client,
    base: String,
    user: Option<Secret>,
    token: Option<Secret>,
    request_timeout: Option<Duration>,
}

#[derive(Deserialize)]
struct QueueWire {
    #[serde(default)]
    cancelled: bool,
    why: Option<String>,
    executable: Option<ExecutableWire>,
}

#[derive(Deserialize)]
struct ExecutableWire {
    number: u64,
    url: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct QueueListedWire {
    url: String,
    #[serde(default)]
    in_queue_since: i64,
    task: Option<TaskWire>,
    #[serde(default)]
    actions: Vec<ActionWire>,
}

#[derive(Deserialize)]
struct QueueListWire {
    #[serde(default)]
    items: Vec<QueueListedWire>,
}

#[derive(Deserialize)]
struct TaskWire {
    url: Option<String>,
}

#[derive(Deserialize)]
struct ActionWire {
    #[serde(default)]
    parameters: Vec<ParameterWire>,
}

#[derive(Deserialize)]
struct ParameterWire {
    name: String,
    #[serde(default)]
    value: serde_json::Value,
}

#[derive(Deserialize)]
struct BuildListedWire {
    number: u64,
    url: String,
    #[serde(default)]
    timestamp: i64,
    #[serde(default)]
    actions: Vec<ActionWire>,
}

#[derive(Deserialize)]
struct BuildListWire {
    #[serde(default)]
    builds: Vec<BuildListedWire>,
}

/// Whether a queue item's or build's parameters include every one of ours.
fn has_params(actions: &[ActionWire], params: &[(String, String)]) -> bool {
    let theirs: Vec<(&str, String)> = actions
        .iter()
        .flat_map(|a| &a.parameters)
        .map(|p| {
            let value = match &p.value {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (p.name.as_str(), value)
        })
        .collect();
    params
        .iter()
        .all(|(n, v)| theirs.iter().any(|(tn, tv)| tn == n && tv == v))
}

#[derive(Deserialize)]
struct BuildWire {
    #[serde(default)]
    building: bool,
    result: Option<String>,
    description: Option<String>,
}

/// `folder/name` becomes `job/folder/job/name`, each segment escaped.
fn job_path(job: &str) -> String {
    job.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| format!("job/{}", url_escape(s)))
        .collect::<Vec<_>>()
        .join("/")
}

fn url_escape(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn api_json(url: &str) -> String {
    format!("{}/api/json", url.trim_end_matches('/'))
}

impl Jenkins {
    pub fn new(
        http: reqwest::Client,
        base: &str,
        user: Option<Secret>,
        token: Option<Secret>,
    ) -> Self {
        Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            user,
            token,
            request_timeout: None,
        }
    }

    /// Caps each request (the dispatcher must answer Slack within 3 s).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    fn authed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let req = match self.request_timeout {
            Some(t) => req.timeout(t),
            None => req,
        };
        match (&self.user, &self.token) {
            (Some(u), Some(t)) => req.basic_auth(u.expose(), Some(t.expose())),
            _ => req,
        }
    }

    async fn get_json<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<T, CiError> {
        let url = self.on_our_origin(url)?;
        self.fetch_json(&api_json(&url), what).await
    }

    /// GETs a JSON API URL on the configured origin (query included).
    async fn fetch_json<T: for<'de> Deserialize<'de>>(
        &self,
        url: &str,
        what: &'static str,
    ) -> Result<T, CiError> {
        let resp = self
            .authed(self.http.get(url))
            .send()
            .await
            .map_err(|e| CiError::Unreachable(transport_reason(&e)))?;
        match resp.status().as_u16() {
            404 => return Err(CiError::Gone(what)),
            status => check_status(status, url)?,
        }
        resp.json().await.map_err(|_| CiError::Protocol(what))
    }

    /// Jenkins builds the queue and build URLs it returns from its own idea
    /// of its root URL, which may be another host or plain http. Our
    /// credentials only go to the origin the config names, so such a URL
    /// keeps its path and takes the configured scheme, host and port.
    fn on_our_origin(&self, url: &str) -> Result<String, CiError> {
        let base =
            reqwest::Url::parse(&self.base).map_err(|_| CiError::Protocol("valid jenkins.url"))?;
        let mut target = base
            .join(url)
            .map_err(|_| CiError::Protocol("valid queue or build URL"))?;
        if target.origin() != base.origin() {
            let rebased = target.set_scheme(base.scheme()).is_ok()
                && target.set_host(base.host_str()).is_ok()
                && target.set_port(base.port()).is_ok();
            if !rebased {
                return Err(CiError::Protocol("queue or build URL on Jenkins' own host"));
            }
            tracing::warn!("Jenkins returned a URL on another origin; check its root URL setting");
        }
        Ok(target.into())
    }
}

fn transport_reason(e: &reqwest::Error) -> String {
    tracing::warn!(cause = %crate::slack::api::transport_causes(e), "Jenkins request failed");
    if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        "connection refused or unreachable".into()
    } else {
        "transport error".into()
    }
}

fn check_status(status: u16, what: &str) -> Result<(), CiError> {
    match status {
        200..=299 => Ok(()),
        401 | 403 => Err(CiError::Auth(status)),
        404 => Err(CiError::NoSuchJob(what.to_owned())),
        s => Err(CiError::Status(s)),
    }
}

#[async_trait]
impl CiServer for Jenkins {
    async fn trigger(&self, job: &str, params: &[(String, String)]) -> Result<QueueItem, CiError> {
        let url = format!("{}/{}/buildWithParameters", self.base, job_path(job));
        let resp = self
            .authed(self.http.post(&url))
            .form(params)
            .send()
            .await
            .map_err(|e| {
                // Only a connection never made is certain to have queued
                // nothing; past that, the request may have reached Jenkins.
                if e.is_connect() {
                    CiError::Unreachable(transport_reason(&e))
                } else {
                    CiError::Unknown(transport_reason(&e))
                }
            })?;
        if resp.status().as_u16() == 504 {
            return Err(CiError::Unknown("a gateway timed out".into()));
        }
        check_status(resp.status().as_u16(), job)?;
        let location = resp
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .ok_or(CiError::Protocol("Location header"))?;
        if !location.contains("/queue/item/") {
            return Err(CiError::Protocol("queue item Location"));
        }
        Ok(QueueItem {
            url: location.to_owned(),
        })
    }

    async fn find(
        &self,
        job: &str,
        params: &[(String, String)],
        since_ms: i64,
    ) -> Result<Option<Found>, CiError> {
        let path = job_path(job);
        let queue: QueueListWire = self
            .fetch_json(
                &format!(
                    "{}/queue/api/json?tree=items[url,inQueueSince,task[url],actions[parameters[name,value]]]",
                    self.base
                ),
                "queue",
            )
            .await?;
        let of_job =
            |url: Option<&str>| url.is_some_and(|u| u.trim_end_matches('/').ends_with(&path));
        if let Some(item) = queue.items.iter().find(|i| {
            of_job(i.task.as_ref().and_then(|t| t.url.as_deref()))
                && i.in_queue_since >= since_ms
                && has_params(&i.actions, params)
        }) {
            let url = self.on_our_origin(&item.url)?;
            return Ok(Some(Found::Queued(QueueItem { url })));
        }
        let builds: BuildListWire = self
            .fetch_json(
                &format!(
                    "{}/{path}/api/json?tree=builds[number,url,timestamp,actions[parameters[name,value]]]{{0,20}}",
                    self.base
                ),
                "build list",
            )
            .await?;
        Ok(builds
            .builds
            .into_iter()
            .find(|b| b.timestamp >= since_ms && has_params(&b.actions, params))
            .map(|b| {
                Found::Started(Build {
                    number: b.number,
                    url: b.url,
                })
            }))
    }

    async fn queue_state(&self, item: &QueueItem) -> Result<QueueState, CiError> {
        let q: QueueWire = self.get_json(&item.url, "queue item").await?;
        Ok(match (q.cancelled, q.executable) {
            (true, _) => QueueState::Cancelled,
            (false, Some(e)) => QueueState::Started(Build {
                number: e.number,
                url: e.url,
            }),
            (false, None) => QueueState::Waiting(q.why),
        })
    }

    async fn build_state(&self, build: &Build) -> Result<BuildState, CiError> {
        let b: BuildWire = self.get_json(&build.url, "build").await?;
        Ok(match (b.building, b.result) {
            (false, Some(result)) => BuildState::Finished(Finished {
                result,
                description: b.description,
            }),
            _ => BuildState::Running,
        })
    }

    async fn cancel(&self, link: &str) -> Result<CancelOutcome, CiError> {
        self.cancel_link(link).await
    }
}

/// A poll that hit a passing fault (Jenkins restarting, a proxy's 502) is
/// `None`, so the wait goes on until its deadline; other errors end it.
fn passing<T>(result: Result<T, CiError>) -> Result<Option<T>, CiError> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(CiError::Unreachable(why)) => {
            tracing::warn!(why, "Jenkins did not answer a poll; trying again");
            Ok(None)
        }
        Err(CiError::Status(status)) if status >= 500 => {
            tracing::warn!(status, "Jenkins failed a poll; trying again");
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

/// Waits until a queued build has started and returns it.
pub async fn wait_for_start(
    ci: &dyn CiServer,
    item: &QueueItem,
    poll: Duration,
    deadline: tokio::time::Instant,
) -> Result<Build, WaitError> {
    loop {
        match passing(ci.queue_state(item).await)? {
            Some(QueueState::Started(b)) => return Ok(b),
            Some(QueueState::Cancelled) => return Err(WaitError::Cancelled),
            Some(QueueState::Waiting(_)) | None => {}
        }
        if tokio::time::Instant::now() + poll > deadline {
            return Err(WaitError::TimedOut);
        }
        tokio::time::sleep(poll).await;
    }
}

/// Waits until a build has finished and says how it ended.
pub async fn wait_for_finish(
    ci: &dyn CiServer,
    build: &Build,
    poll: Duration,
    deadline: tokio::time::Instant,
) -> Result<Finished, WaitError> {
    loop {
        if let Some(BuildState::Finished(finished)) = passing(ci.build_state(build).await)? {
            return Ok(finished);
        }
        if tokio::time::Instant::now() + poll > deadline {
            return Err(WaitError::TimedOut);
        }
        tokio::time::sleep(poll).await;
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    #[error(transparent)]
    Ci(#[from] CiError),
    #[error("the build was cancelled while queued")]
    Cancelled,
    #[error("the build did not finish in time")]
    TimedOut,
}

#[cfg(test)]
mod tests;
