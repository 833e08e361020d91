//! Cancelling a Jenkins build: `POST queue/cancelItem?id=N` removes a
//! waiting queue item, `POST {build}stop` aborts a running build. Like the
//! trigger, these need no crumb with an API token.

use serde::Deserialize;

use super::{Build, CancelOutcome, CiError, Jenkins, QueueItem, QueueState, check_status};

/// Enough of a build's `api/json` to know whether it still runs.
#[derive(Deserialize)]
struct RunningWire {
    #[serde(default)]
    building: bool,
    number: Option<u64>,
}

/// What Jenkins made of an action POST.
#[derive(Debug, PartialEq, Eq)]
enum Posted {
    Done,
    NotFound,
}

/// The queue item number in `…/queue/item/<N>/`, if `link` is one.
fn queue_item_id(link: &str) -> Option<u64> {
    let (_, rest) = link.split_once("/queue/item/")?;
    rest.trim_end_matches('/').parse().ok()
}

/// The build number a build URL ends in (`…/job/deploy/42/`).
fn build_number(url: &str) -> Option<u64> {
    url.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}

impl Jenkins {
    pub(super) async fn cancel_link(&self, link: &str) -> Result<CancelOutcome, CiError> {
        let Some(id) = queue_item_id(link) else {
            return self.abort_build(link).await;
        };
        let item = QueueItem {
            url: link.to_owned(),
        };
        match self.queue_state_of(&item).await? {
            QueueState::Cancelled => return Ok(CancelOutcome::AlreadyFinished),
            QueueState::Started(build) => return self.abort_build(&build.url).await,
            QueueState::Waiting(_) => {}
        }
        let url = format!("{}/queue/cancelItem?id={id}", self.base);
        if self.post_action(&url).await? == Posted::Done {
            return Ok(CancelOutcome::Dequeued);
        }
        // Older Jenkins answered a cancel that worked with a 404
        // (JENKINS-21311), and newer ones answer 404 for an item that left
        // the queue meanwhile; the item itself tells which.
        match self.queue_state_of(&item).await? {
            QueueState::Cancelled => Ok(CancelOutcome::Dequeued),
            QueueState::Started(build) => self.abort_build(&build.url).await,
            QueueState::Waiting(_) => Err(CiError::Status(404)),
        }
    }

    async fn queue_state_of(&self, item: &QueueItem) -> Result<QueueState, CiError> {
        super::CiServer::queue_state(self, item).await
    }

    /// Aborts the build at `url` unless it has ended.
    async fn abort_build(&self, url: &str) -> Result<CancelOutcome, CiError> {
        let run: RunningWire = self.get_json(url, "build").await?;
        if !run.building {
            return Ok(CancelOutcome::AlreadyFinished);
        }
        let url = self.on_our_origin(url)?;
        let stop = format!("{}/stop", url.trim_end_matches('/'));
        match self.post_action(&stop).await? {
            Posted::Done => Ok(CancelOutcome::Aborted(Build {
                number: run.number.or_else(|| build_number(&url)).unwrap_or(0),
                url,
            })),
            Posted::NotFound => Err(CiError::Gone("build")),
        }
    }

    /// POSTs an action URL on the configured origin, with no body.
    async fn post_action(&self, url: &str) -> Result<Posted, CiError> {
        let target = reqwest::Url::parse(&self.on_our_origin(url)?)
            .map_err(|_| CiError::Protocol("valid action URL"))?;
        let resp = self
            .authed(self.http.post(target.clone()))
            .send()
            .await
            .map_err(|e| CiError::Unreachable(super::transport_reason(&e)))?;
        // Jenkins answers these POSTs with a redirect to a page once the
        // action is taken. The client follows redirects, so having been
        // redirected is the answer, whatever the page then says.
        if resp.url() != &target {
            return Ok(Posted::Done);
        }
        match resp.status().as_u16() {
            300..=399 => Ok(Posted::Done),
            404 => Ok(Posted::NotFound),
            status => check_status(status, url).map(|()| Posted::Done),
        }
    }
}

#[cfg(test)]
mod tests;
