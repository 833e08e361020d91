//! `switchboard serve`: every endpoint on one port, the embedded state file
//! and the local job runner; the same handlers the Lambdas mount.
//!
//! `run` is the command; `app`, `spawn_schedules` and `accept_loop` are
//! its parts, public so the end-to-end tests (`tests/`) can run the same
//! app in-process over their own runtime.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use axum::Router;
use axum::routing::get;
use switchboard_bridge::Bridge;
use switchboard_core::config::Config;
use switchboard_core::runtime::{LocalPaths, Runtime};
use switchboard_core::secrets::Secrets;
use switchboard_dispatcher::Dispatcher;
use switchboard_unfurler::Unfurler;
use tokio::sync::Semaphore;

use crate::local;

/// A client has this long to send a request's headers, and a kept-alive
/// connection may sit idle this long before the next request: hyper's
/// header timer starts whenever the connection waits for a request.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
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
    secrets.slack_signing_secret = Some(signing.clone());
    let rt = Runtime::local(
        config,
        &LocalPaths {
            config: config_path.clone(),
            state: state.clone(),
        },
        secrets,
    )?;
    let socket = match rt.secrets.slack_app_token.clone() {
        Some(token) => {
            let api_url = rt.config.get(rt.store.as_ref()).await.slack.api_url.clone();
            Some((token, api_url, rt.http.client().clone()))
        }
        None => None,
    };
    spawn_schedules(&rt).await;
    let app = app(rt)?;
    if let Some((app_token, api_url, http)) = socket {
        // Socket Mode envelopes enter through the same router, signed here.
        crate::socket::spawn(crate::socket::Link {
            http,
            api_url,
            app_token,
            signing,
            router: app.clone(),
        });
    }
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
    accept_loop(listener, app, tokio::signal::ctrl_c()).await
}

/// The app `serve` runs: the same routes, behind the same checks, as the
/// three HTTP Lambdas, and `/healthz`.
pub fn app(rt: Runtime) -> anyhow::Result<Router> {
    Ok(Arc::new(Dispatcher::from_runtime(rt.clone())?)
        .edge()
        .merge(Arc::new(Unfurler::from_runtime(rt.clone())?).edge())
        .merge(Arc::new(Bridge::from_runtime(rt)).edge())
        .into_router()
        .route("/healthz", get(|| async { "ok" })))
}

/// Starts the scanner and the poller on their schedules beside the app,
/// each only when the config gives it something to do.
pub async fn spawn_schedules(rt: &Runtime) {
    crate::scan::spawn_schedule(rt.clone()).await;
    crate::poll::spawn_schedule(rt.clone()).await;
}

/// Serves each connection on its own task, at most `MAX_CONNECTIONS` at
/// once, with hyper's header (and idle) timeout, until `shutdown` is done
/// (Ctrl-C for `serve`).
pub async fn accept_loop(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future,
) -> anyhow::Result<()> {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
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
