//! The one HTTP edge. Every route of every function is mounted through
//! [`Edge::route`], which puts the body limit (413, 408), the route's
//! authentication (401) and its content type (415) in front of the
//! handler, as tower layers. A handler receives a [`Verified`] request,
//! which only the authentication layer makes, so a route without its check
//! cannot be written: its handler would have nothing to take.
//!
//! The Lambdas run the router with `lambda_http::run`; `switchboard serve`
//! merges the same routers on one port.

pub mod hub;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Extension, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use http::{HeaderMap, StatusCode, header};
use sha2::{Digest as _, Sha256};

use crate::reply::{MAX_BODY_BYTES, Reply, declares_too_large, expect_content_type};
use crate::secrets::Secret;

/// The routes as one tower service; functions name it through here, so
/// only the core depends on axum.
pub use axum::Router;

/// A request's body must arrive whole within this; Slack and the webhook
/// providers send at most 1 MiB at once.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Slack posts slash commands and button presses as a form.
pub const FORM: &str = "application/x-www-form-urlencoded";
/// Slack's events and every webhook are JSON.
pub const JSON: &str = "application/json";

/// Who may call a route, and how they prove it.
#[derive(Clone)]
pub enum Auth {
    /// Slack's v0 signature over the timestamp and body.
    Slack(Option<Secret>),
    /// A `sha256=` HMAC of the body in `header` (GitHub, Bitbucket).
    Hub {
        secret: Option<Secret>,
        header: &'static str,
    },
    /// A bearer token equal to the secret, or a `sha256=` HMAC of the body
    /// in `X-Hub-Signature-256` (deploy scripts reporting a test bench).
    Bearer(Option<Secret>),
}

impl Auth {
    /// The route's answer when the check fails, in the route's own dialect:
    /// Slack routes answer plain text, webhooks `{"result": …}`.
    fn check(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), Reply> {
        match self {
            Self::Slack(secret) => crate::slack::verify::guard(secret.as_ref(), headers, body),
            Self::Hub { secret, header } => {
                hub::verify(secret.as_ref(), header_str(headers, header), body).map_err(|e| {
                    tracing::warn!(header, reason = %e, "rejected a webhook");
                    webhook_reply(401, &e.to_string())
                })
            }
            Self::Bearer(secret) => {
                if bearer_or_hub(secret.as_ref(), headers, body) {
                    Ok(())
                } else {
                    tracing::warn!("rejected a webhook without valid credentials");
                    Err(webhook_reply(401, "missing or wrong credentials"))
                }
            }
        }
    }

    fn media_refusal(&self, refusal: Reply) -> Reply {
        match self {
            Self::Slack(_) => refusal,
            Self::Hub { .. } | Self::Bearer(_) => webhook_reply(refusal.status, &refusal.body),
        }
    }
}

/// A webhook's answer: `{"result": text}`, as the providers show it in
/// their delivery logs.
pub fn webhook_reply(status: u16, text: &str) -> Reply {
    Reply::json(status, &serde_json::json!({ "result": text }))
}

/// A request that passed its route's authentication and content-type
/// check; its fields are private, so only this module makes one.
#[derive(Clone)]
pub struct Verified {
    headers: HeaderMap,
    body: Bytes,
}

impl Verified {
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// A header's value, when it is present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        header_str(&self.headers, name)
    }
}

fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A bearer token equal to the secret, or a valid `sha256=` signature.
fn bearer_or_hub(secret: Option<&Secret>, headers: &HeaderMap, body: &[u8]) -> bool {
    let Some(secret) = secret else { return false };
    if let Some(token) =
        header_str(headers, "authorization").and_then(|v| v.strip_prefix("Bearer "))
    {
        // Comparing digests keeps the comparison's time independent of
        // where the strings first differ.
        return Sha256::digest(token.trim().as_bytes())
            == Sha256::digest(secret.expose().as_bytes());
    }
    hub::verify(
        Some(secret),
        header_str(headers, "x-hub-signature-256"),
        body,
    )
    .is_ok()
}

/// The routes of one function (or of all of them, merged).
#[derive(Default)]
pub struct Edge {
    router: Router,
}

impl Edge {
    pub fn new() -> Self {
        Self::default()
    }

    /// Mounts `handler` for `POST path`, behind `auth` and a check that
    /// the body is `media`.
    pub fn route<H, F>(mut self, path: &str, media: &'static str, auth: Auth, handler: H) -> Self
    where
        H: Fn(Verified) -> F + Clone + Send + Sync + 'static,
        F: Future<Output = Reply> + Send + 'static,
    {
        let auth = Arc::new(auth);
        let handle = move |Extension(req): Extension<Verified>| {
            let handler = handler.clone();
            async move { to_response(handler(req).await) }
        };
        let verify = middleware::from_fn(move |req: Request, next: Next| {
            let auth = auth.clone();
            async move { verify(&auth, media, req, next).await }
        });
        self.router = self.router.route(path, post(handle).route_layer(verify));
        self
    }

    /// Joins another function's routes (what `serve` does).
    pub fn merge(mut self, other: Edge) -> Self {
        self.router = self.router.merge(other.router);
        self
    }

    /// The router, with the body limit in front of every route.
    pub fn into_router(self) -> Router {
        self.router
            .layer(middleware::from_fn(read_body_in_time))
            .layer(middleware::from_fn(refuse_declared_too_large))
    }
}

/// A body that declares more than the limit is refused before a byte of
/// it is read; one that only turns out longer is cut off while reading.
async fn refuse_declared_too_large(req: Request, next: Next) -> Response {
    if declares_too_large(req.headers()) {
        tracing::warn!("refused a request body declared over the limit");
        return to_response(Reply::too_large());
    }
    next.run(req).await
}

/// Reads the whole body within [`BODY_READ_TIMEOUT`] and at most
/// [`MAX_BODY_BYTES`], so a client that trickles its body cannot hold a
/// connection, and hands it on whole.
async fn read_body_in_time(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(
        BODY_READ_TIMEOUT,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Ok(Err(e))
            if std::error::Error::source(&e)
                .is_some_and(|inner| inner.is::<http_body_util::LengthLimitError>()) =>
        {
            tracing::warn!("refused a request body over the limit");
            to_response(Reply::too_large())
        }
        Ok(Err(_)) => to_response(Reply::plain(400, "the request body could not be read")),
        Err(_) => to_response(Reply::plain(408, "the request body did not arrive in time")),
    }
}

/// The route's checks, in order: who sent it, then what it is.
async fn verify(auth: &Auth, media: &'static str, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    // The outer layer has already read the body whole and bounded it.
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return to_response(Reply::too_large());
    };
    if let Err(refusal) = auth.check(&parts.headers, &body).and_then(|()| {
        expect_content_type(&parts.headers, media).map_err(|r| auth.media_refusal(r))
    }) {
        return to_response(refusal);
    }
    // The handler reads the headers from `Verified` alone, so they move.
    let verified = Verified {
        headers: std::mem::take(&mut parts.headers),
        body,
    };
    parts.extensions.insert(verified);
    next.run(Request::from_parts(parts, Body::empty())).await
}

/// Turns a [`Reply`] into an HTTP response.
pub fn to_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}

/// Calls a router in-process with a request as it would arrive over HTTP:
/// what `serve`'s Socket Mode client, the tests and the benchmarks do.
pub async fn dispatch(router: &Router, path: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    use tower::ServiceExt as _;
    let mut request = Request::post(path);
    if let Some(h) = request.headers_mut() {
        h.extend(headers.clone());
    }
    let Ok(request) = request.body(Body::from(body.to_vec())) else {
        return Reply::plain(400, "the request could not be built");
    };
    let Ok(response) = router.clone().oneshot(request).await;
    let status = response.status().as_u16();
    let content_type = match response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        Some(t) if t.starts_with("application/json") => "application/json",
        _ => "text/plain; charset=utf-8",
    };
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap_or_default();
    Reply {
        status,
        content_type,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

#[cfg(test)]
mod tests;
