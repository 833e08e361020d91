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
mod tests {
    use super::*;
    use crate::ci::CiServer as _;
    use crate::ci::tests::jenkins;
    use wiremock::matchers::{method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    /// Jenkins' queue item `api/json` with this body.
    async fn queue_item(server: &MockServer, n: u64, body: serde_json::Value) {
        Mock::given(method("GET"))
            .and(path(format!("/queue/item/{n}/api/json")))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(server)
            .await;
    }

    /// Jenkins' build `api/json` for build 42 of `deploy`.
    async fn build_42(server: &MockServer, building: bool) {
        let result = if building { None } else { Some("SUCCESS") };
        Mock::given(method("GET"))
            .and(path("/job/deploy/42/api/json"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "building": building, "result": result, "number": 42
            })))
            .mount(server)
            .await;
    }

    /// Expects `n` POSTs to build 42's stop, answered as Jenkins does.
    async fn stop_42(server: &MockServer, n: u64) {
        Mock::given(method("POST"))
            .and(path("/job/deploy/42/stop"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/job/deploy/42/"))
            .expect(n)
            .mount(server)
            .await;
        Mock::given(method("GET"))
            .and(path("/job/deploy/42/"))
            .respond_with(ResponseTemplate::new(200))
            .mount(server)
            .await;
    }

    #[test]
    fn links_are_told_apart() {
        assert_eq!(queue_item_id("https://ci/queue/item/7/"), Some(7));
        assert_eq!(queue_item_id("https://ci/queue/item/7"), Some(7));
        assert_eq!(queue_item_id("https://ci/job/deploy/42/"), None);
        assert_eq!(build_number("https://ci/job/deploy/42/"), Some(42));
    }

    #[tokio::test]
    async fn a_waiting_queue_item_is_removed_from_the_queue() {
        let server = MockServer::start().await;
        queue_item(&server, 7, serde_json::json!({"why": "busy"})).await;
        Mock::given(method("POST"))
            .and(path("/queue/cancelItem"))
            .and(query_param("id", "7"))
            .respond_with(ResponseTemplate::new(204))
            .expect(1)
            .mount(&server)
            .await;
        let link = format!("{}/queue/item/7/", server.uri());
        let outcome = jenkins(&server).cancel(&link).await.expect("cancel");
        assert_eq!(outcome, CancelOutcome::Dequeued);
    }

    /// Older Jenkins redirects to a page that does not exist, or answers
    /// 404 itself; the item then shows it was cancelled.
    #[tokio::test]
    async fn older_jenkins_answers_to_cancel_item_count_as_done() {
        let server = MockServer::start().await;
        queue_item(&server, 8, serde_json::json!({"why": "busy"})).await;
        Mock::given(method("POST"))
            .and(path("/queue/cancelItem"))
            .and(query_param("id", "8"))
            .respond_with(ResponseTemplate::new(302).insert_header("Location", "/queue/gone"))
            .expect(1)
            .mount(&server)
            .await;
        let j = jenkins(&server);
        let link = format!("{}/queue/item/8/", server.uri());
        assert_eq!(
            j.cancel(&link).await.expect("cancel"),
            CancelOutcome::Dequeued
        );

        Mock::given(method("GET"))
            .and(path("/queue/item/9/api/json"))
            .respond_with(
                ResponseTemplate::new(200).set_body_json(serde_json::json!({"why": "busy"})),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        queue_item(&server, 9, serde_json::json!({"cancelled": true})).await;
        Mock::given(method("POST"))
            .and(path("/queue/cancelItem"))
            .and(query_param("id", "9"))
            .respond_with(ResponseTemplate::new(404))
            .expect(1)
            .mount(&server)
            .await;
        let link = format!("{}/queue/item/9/", server.uri());
        assert_eq!(
            j.cancel(&link).await.expect("cancel"),
            CancelOutcome::Dequeued
        );
    }

    #[tokio::test]
    async fn a_queue_item_that_started_has_its_build_aborted() {
        let server = MockServer::start().await;
        let build_url = format!("{}/job/deploy/42/", server.uri());
        queue_item(
            &server,
            7,
            serde_json::json!({"executable": {"number": 42, "url": build_url}}),
        )
        .await;
        build_42(&server, true).await;
        stop_42(&server, 1).await;
        Mock::given(method("POST"))
            .and(path("/queue/cancelItem"))
            .respond_with(ResponseTemplate::new(204))
            .expect(0)
            .mount(&server)
            .await;
        let link = format!("{}/queue/item/7/", server.uri());
        let outcome = jenkins(&server).cancel(&link).await.expect("cancel");
        assert_eq!(
            outcome,
            CancelOutcome::Aborted(Build {
                number: 42,
                url: build_url
            })
        );
    }

    #[tokio::test]
    async fn a_running_build_is_aborted() {
        let server = MockServer::start().await;
        build_42(&server, true).await;
        stop_42(&server, 1).await;
        let link = format!("{}/job/deploy/42/", server.uri());
        let outcome = jenkins(&server).cancel(&link).await.expect("cancel");
        assert!(
            matches!(&outcome, CancelOutcome::Aborted(b) if b.number == 42),
            "{outcome:?}"
        );
    }

    #[tokio::test]
    async fn what_has_ended_is_left_alone() {
        let server = MockServer::start().await;
        build_42(&server, false).await;
        stop_42(&server, 0).await;
        queue_item(&server, 3, serde_json::json!({"cancelled": true})).await;
        Mock::given(method("POST"))
            .and(path("/queue/cancelItem"))
            .respond_with(ResponseTemplate::new(204))
            .expect(0)
            .mount(&server)
            .await;
        let j = jenkins(&server);
        let build = format!("{}/job/deploy/42/", server.uri());
        assert_eq!(
            j.cancel(&build).await.expect("cancel"),
            CancelOutcome::AlreadyFinished
        );
        let item = format!("{}/queue/item/3/", server.uri());
        assert_eq!(
            j.cancel(&item).await.expect("cancel"),
            CancelOutcome::AlreadyFinished
        );
    }

    #[tokio::test]
    async fn jenkins_failing_is_an_error() {
        let server = MockServer::start().await;
        queue_item(&server, 7, serde_json::json!({"why": "busy"})).await;
        Mock::given(method("POST"))
            .and(path("/queue/cancelItem"))
            .respond_with(ResponseTemplate::new(500))
            .mount(&server)
            .await;
        build_42(&server, true).await;
        Mock::given(method("POST"))
            .and(path("/job/deploy/42/stop"))
            .respond_with(ResponseTemplate::new(503))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .and(path("/job/deploy/43/api/json"))
            .respond_with(ResponseTemplate::new(502))
            .mount(&server)
            .await;
        let j = jenkins(&server);
        let item = format!("{}/queue/item/7/", server.uri());
        let outcome = j.cancel(&item).await;
        assert!(matches!(outcome, Err(CiError::Status(500))), "{outcome:?}");
        let running = format!("{}/job/deploy/42/", server.uri());
        let outcome = j.cancel(&running).await;
        assert!(matches!(outcome, Err(CiError::Status(503))), "{outcome:?}");
        let unread = format!("{}/job/deploy/43/", server.uri());
        let outcome = j.cancel(&unread).await;
        assert!(matches!(outcome, Err(CiError::Status(502))), "{outcome:?}");
    }
}
