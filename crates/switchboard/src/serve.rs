//! `switchboard serve`: every endpoint on one port, the embedded state file
//! and the local job runner; the same handlers the Lambdas mount.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use switchboard_bridge::{Bridge, Provider};
use switchboard_core::config::Config;
use switchboard_core::reply::{MAX_BODY_BYTES, declares_too_large};
use switchboard_core::runtime::{LocalPaths, Runtime};
use switchboard_core::secrets::Secrets;
use switchboard_dispatcher::{Dispatcher, Reply};
use switchboard_unfurler::Unfurler;
use tokio::sync::Semaphore;

use crate::local;

/// A client has this long to send a request's headers, and a kept-alive
/// connection may sit idle this long before the next request: hyper's
/// header timer starts whenever the connection waits for a request.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// A request's body must arrive whole within this; Slack and the webhook
/// providers send at most 1 MiB at once.
const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Connections served at once; more wait in the listen backlog, so a
/// flood of idle clients cannot exhaust file descriptors or memory.
pub const MAX_CONNECTIONS: usize = 256;

pub async fn run(
    config: Option<PathBuf>,
    addr: SocketAddr,
    state: Option<PathBuf>,
) -> anyhow::Result<()> {
    let config_path = local::config_path(config)?;
    let config = Config::load(&config_path)?;
    let state = state.unwrap_or_else(|| config.state.path.clone());
    let mut secrets = Secrets::from_env();
    let (signing, dev_path) = local::signing_secret(true)?;
    if let Some(p) = &dev_path {
        eprintln!(
            "No SLACK_SIGNING_SECRET set, so using the local development secret in {} (`switchboard send` uses it too).",
            p.display()
        );
    }
    secrets.slack_signing_secret = Some(signing);
    let rt = Runtime::local(
        config,
        &LocalPaths {
            config: config_path.clone(),
            state: state.clone(),
        },
        secrets,
    )?;
    crate::scan::spawn_schedule(rt.clone()).await;
    crate::poll::spawn_schedule(rt.clone()).await;
    let handlers = Arc::new(Handlers {
        dispatcher: Dispatcher::from_runtime(rt.clone())?,
        unfurler: Unfurler::from_runtime(rt.clone())?,
        bridge: Bridge::from_runtime(rt),
    });
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/slack/commands", post(commands))
        .route("/slack/events", post(events))
        .route("/slack/interactions", post(interactions))
        .route("/webhooks/bitbucket", post(bitbucket))
        .route("/webhooks/github", post(github))
        .route("/webhooks/bench", post(bench))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(read_body_in_time))
        .layer(middleware::from_fn(refuse_declared_too_large))
        .with_state(handlers);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("listening on {addr}"))?;
    let bound = listener.local_addr()?;
    // Tests and scripts read this line to learn the port.
    println!("switchboard listening on http://{bound}");
    eprintln!(
        "config {}, state {}",
        config_path.display(),
        state.display()
    );
    accept_loop(listener, app).await
}

/// Serves each connection on its own task, at most `MAX_CONNECTIONS` at
/// once, with hyper's header (and idle) timeout; stops on Ctrl-C.
async fn accept_loop(listener: tokio::net::TcpListener, app: Router) -> anyhow::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let shutdown = tokio::signal::ctrl_c();
    tokio::pin!(shutdown);
    loop {
        // A slot is taken before accepting, so extra clients queue in the
        // kernel's backlog instead of costing a task each.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot.context("the connection limit closed")?,
            _ = &mut shutdown => return Ok(()),
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Running out of descriptors is passing; pause, not exit.
                    tracing::warn!(error = %e, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => return Ok(()),
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = http.serve_connection(hyper_util::rt::TokioIo::new(stream), service);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection closed");
            }
            drop(slot);
        });
    }
}

/// Reads the whole body within `BODY_READ_TIMEOUT`, so a client that
/// trickles its body cannot hold a connection; answers 408 otherwise.
async fn read_body_in_time(req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(
        BODY_READ_TIMEOUT,
        axum::body::to_bytes(body, MAX_BODY_BYTES),
    )
    .await
    {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Ok(Err(e))
            if std::error::Error::source(&e)
                .is_some_and(|inner| inner.is::<http_body_util::LengthLimitError>()) =>
        {
            to_response(Reply::too_large())
        }
        Ok(Err(_)) => to_response(Reply::plain(400, "the request body could not be read")),
        Err(_) => to_response(Reply::plain(408, "the request body did not arrive in time")),
    }
}

/// Every function's handler, built once and shared by all requests.
struct Handlers {
    dispatcher: Dispatcher,
    unfurler: Unfurler,
    bridge: Bridge,
}

/// A body that declares more than the limit is refused before a byte of
/// it is read; one that only turns out longer is cut off by the body limit.
async fn refuse_declared_too_large(req: Request, next: Next) -> Response {
    if declares_too_large(req.headers()) {
        return to_response(Reply::too_large());
    }
    next.run(req).await
}

/// The body as read, or the answer for one that could not be read.
fn read(body: Result<Bytes, BytesRejection>) -> Result<Bytes, Reply> {
    body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            Reply::too_large()
        } else {
            Reply::plain(400, "the request body could not be read")
        }
    })
}

type Body = Result<Bytes, BytesRejection>;

async fn commands(State(h): State<Arc<Handlers>>, headers: HeaderMap, body: Body) -> Response {
    match read(body) {
        Ok(body) => to_response(h.dispatcher.handle_command(&headers, &body).await),
        Err(r) => to_response(r),
    }
}

async fn interactions(State(h): State<Arc<Handlers>>, headers: HeaderMap, body: Body) -> Response {
    match read(body) {
        Ok(body) => to_response(h.dispatcher.handle_interaction(&headers, &body).await),
        Err(r) => to_response(r),
    }
}

async fn events(State(h): State<Arc<Handlers>>, headers: HeaderMap, body: Body) -> Response {
    match read(body) {
        Ok(body) => to_response(h.unfurler.handle_event(&headers, &body).await),
        Err(r) => to_response(r),
    }
}

async fn bitbucket(State(h): State<Arc<Handlers>>, headers: HeaderMap, body: Body) -> Response {
    match read(body) {
        Ok(body) => to_response(
            h.bridge
                .handle_pr(Provider::Bitbucket, &headers, &body)
                .await,
        ),
        Err(r) => to_response(r),
    }
}

async fn github(State(h): State<Arc<Handlers>>, headers: HeaderMap, body: Body) -> Response {
    match read(body) {
        Ok(body) => to_response(h.bridge.handle_pr(Provider::Github, &headers, &body).await),
        Err(r) => to_response(r),
    }
}

async fn bench(State(h): State<Arc<Handlers>>, headers: HeaderMap, body: Body) -> Response {
    match read(body) {
        Ok(body) => to_response(h.bridge.handle_bench(&headers, &body).await),
        Err(r) => to_response(r),
    }
}

fn to_response(reply: Reply) -> Response {
    let status = StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, reply.content_type)],
        reply.body,
    )
        .into_response()
}
