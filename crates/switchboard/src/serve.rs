//! `switchboard serve`: every endpoint on one port, the embedded state file
//! and the local job runner; the same handlers the Lambdas mount.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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

use crate::local;

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
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving")
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
