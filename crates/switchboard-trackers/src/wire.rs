//! What the HTTP tracker clients share: building a URL under a configured
//! base, sending the GET, reading the answer, and trimming descriptions.

use serde::de::DeserializeOwned;
use switchboard_core::text::{Cut, shorten};
use url::Url;

use crate::{TrackerError, status_error, transport};

/// How much of a description a card carries; the rest stays in the tracker.
const DESCRIPTION_CHARS: usize = 1500;

/// `base` with `segments` appended as path segments, each percent-encoded,
/// so a key can never climb out of the API's path.
pub(crate) fn endpoint(base: &str, segments: &[&str]) -> Result<Url, TrackerError> {
    let unusable = || TrackerError::Unavailable(format!("the API URL {base:?} is not usable"));
    let mut url = Url::parse(base).map_err(|_| unusable())?;
    url.path_segments_mut()
        .map_err(|_| unusable())?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// An issue key that may go into a URL path: ASCII letters, digits, `_`
/// and `-`. Anything else is refused rather than encoded, because the URL
/// library drops a `..` segment and so would quietly address another
/// resource; no tracker issues such keys, so a refused one is not found.
pub(crate) fn path_key(key: &str) -> Result<&str, TrackerError> {
    if path_safe(key) {
        Ok(key)
    } else {
        Err(TrackerError::NotFound)
    }
}

/// Whether `text` is one non-empty path segment of letters, digits, `_`
/// and `-` that needs no encoding.
pub(crate) fn path_safe(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Sends a request and returns the body of a successful answer; statuses
/// and transport failures become the tracker errors people can act on.
pub(crate) async fn body(request: reqwest::RequestBuilder) -> Result<String, TrackerError> {
    let response = request.send().await.map_err(|e| transport(&e))?;
    if let Some(error) = status_error(response.status().as_u16()) {
        return Err(error);
    }
    response.text().await.map_err(|e| transport(&e))
}

/// Sends a request for one page of a listing: `None` when the tracker
/// answers 404, which listings use for "past the last page"; 429 becomes
/// `Throttled` with the `Retry-After` it gave.
pub(crate) async fn page_body(
    request: reqwest::RequestBuilder,
) -> Result<Option<String>, TrackerError> {
    let response = request.send().await.map_err(|e| transport(&e))?;
    match response.status().as_u16() {
        404 => return Ok(None),
        429 => {
            let wait = switchboard_core::outbound::retry_after(response.headers());
            return Err(TrackerError::Throttled(wait));
        }
        status => {
            if let Some(error) = status_error(status) {
                return Err(error);
            }
        }
    }
    response.text().await.map(Some).map_err(|e| transport(&e))
}

/// Decodes a JSON answer. serde's message names the line and column, never
/// the content, so it is safe to show.
pub(crate) fn json<T: DeserializeOwned>(body: &str) -> Result<T, TrackerError> {
    serde_json::from_str(body).map_err(|e| TrackerError::Protocol(format!("unexpected JSON: {e}")))
}

/// The start of a description: trimmed, and cut at a line or word boundary
/// when it is long.
pub(crate) fn excerpt(text: &str) -> String {
    shorten(text, DESCRIPTION_CHARS, Cut::Line)
}

/// An empty string is no value; a card shows nothing rather than a blank.
pub(crate) fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// What the client modules' tests share: a config, a link, and the table of
/// failures every tracker must map the same way.
#[cfg(test)]
pub(crate) mod testing {
    use switchboard_core::config::{TracMode, TrackerConfig, TrackerKind};
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use crate::{TicketRef, Tracker, TrackerError, Transition, Workflow};

    pub(crate) fn config(kind: TrackerKind, url: &str, api_url: Option<&str>) -> TrackerConfig {
        TrackerConfig {
            name: "t".into(),
            kind,
            url: url.into(),
            api_url: api_url.map(str::to_owned),
            trac_mode: TracMode::Jsonrpc,
            org_id: None,
        }
    }

    pub(crate) fn link(kind: TrackerKind, key: &str, project: &str) -> TicketRef {
        TicketRef {
            tracker: "t".into(),
            kind,
            key: key.into(),
            project: project.into(),
            comment: None,
            url: "https://example.invalid/shared".into(),
        }
    }

    /// The error's variant, with the detail that matters to a caller.
    pub(crate) fn describe(e: &TrackerError) -> String {
        match e {
            TrackerError::NotFound => "NotFound".into(),
            TrackerError::Unauthorized(s) => format!("Unauthorized({s})"),
            TrackerError::Unavailable(m) => format!("Unavailable({m})"),
            TrackerError::Protocol(_) => "Protocol".into(),
            TrackerError::Throttled(_) => "Throttled".into(),
            TrackerError::Rejected(s) => format!("Rejected({s})"),
        }
    }

    /// Answers every request to a fresh server with `status` and `body`, and
    /// asserts what `fetch` makes of it. `tracker` builds a client whose API
    /// lives at the given base URL.
    pub(crate) async fn check<T: Tracker>(
        tracker: &impl Fn(&str) -> T,
        link: &TicketRef,
        status: u16,
        body: &str,
        expected: &str,
    ) {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        let got = tracker(&server.uri()).fetch(link).await;
        let got = got
            .as_ref()
            .map(|_| "a ticket".to_owned())
            .map_err(describe);
        assert_eq!(got, Err(expected.to_owned()), "HTTP {status} with {body:?}");
    }

    /// The failures every client maps alike; `malformed` are 200 answers the
    /// client must refuse to read.
    pub(crate) async fn check_failures<T: Tracker>(
        tracker: impl Fn(&str) -> T,
        link: &TicketRef,
        malformed: &[&str],
    ) {
        check(&tracker, link, 404, "Not Found", "NotFound").await;
        check(&tracker, link, 401, "", "Unauthorized(401)").await;
        check(&tracker, link, 403, "", "Unauthorized(403)").await;
        check(&tracker, link, 500, "oops", "Unavailable(HTTP 500)").await;
        check(&tracker, link, 429, "", "Unavailable(HTTP 429)").await;
        for body in malformed {
            check(&tracker, link, 200, body, "Protocol").await;
        }
        // Nothing listens on port 1, so the connection is refused.
        let got = tracker("http://127.0.0.1:1").fetch(link).await;
        assert!(
            matches!(got, Err(TrackerError::Unavailable(_))),
            "an unreachable tracker is unavailable: {:?}",
            got.map(|_| ()).map_err(|e| describe(&e))
        );
    }

    /// What each `Workflow` operation on `key` comes to, in the order
    /// status, transitions, execute, set_field: `Ok` or the error described.
    pub(crate) async fn workflow_outcomes(
        workflow: &impl Workflow,
        key: &str,
    ) -> [Result<(), String>; 4] {
        let transition = Transition {
            id: "21".into(),
            name: "Send to QA".into(),
            to: "Ready for Test".into(),
        };
        [
            workflow.status(key).await.map(drop),
            workflow.transitions(key).await.map(drop),
            workflow.execute(key, &transition).await,
            workflow.set_field(key, "summary", "New summary").await,
        ]
        .map(|outcome| outcome.map_err(|e| describe(&e)))
    }

    /// The failures every workflow maps alike, whichever operation meets
    /// them. `workflow` builds a client whose API lives at the given base URL.
    pub(crate) async fn check_workflow_failures<W: Workflow>(workflow: impl Fn(&str) -> W) {
        let table = [
            (404, "NotFound"),
            (401, "Unauthorized(401)"),
            (403, "Unauthorized(403)"),
            (500, "Unavailable(HTTP 500)"),
        ];
        for (status, expected) in table {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(ResponseTemplate::new(status).set_body_string("{}"))
                .mount(&server)
                .await;
            let got = workflow_outcomes(&workflow(&server.uri()), "A-1").await;
            let want: [Result<(), String>; 4] = std::array::from_fn(|_| Err(expected.to_owned()));
            assert_eq!(got, want, "HTTP {status}");
        }
    }

    /// Keys that could leave the path, or that no tracker issues,
    /// are refused before anything is sent.
    pub(crate) async fn check_bad_keys<W: Workflow>(workflow: impl Fn(&str) -> W) {
        let server = MockServer::start().await;
        let client = workflow(&server.uri());
        let bad = [
            "../x",
            "..",
            ".",
            "A-1/..",
            "A-1/../../admin",
            "A-1?fields=x",
            "A-1#x",
            "",
            "A 1",
            "A%2F1",
            "A\\1",
            "ÄB-1",
        ];
        for key in bad {
            let want: [Result<(), String>; 4] = std::array::from_fn(|_| Err("NotFound".to_owned()));
            assert_eq!(workflow_outcomes(&client, key).await, want, "{key:?}");
        }
        let sent = server.received_requests().await.expect("recording is on");
        assert!(sent.is_empty(), "nothing reaches the tracker: {sent:?}");
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
