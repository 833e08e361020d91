//! Socket Mode: `serve` takes Slack's commands, button presses and events
//! over a WebSocket it opens itself, so it needs no public URL.
//!
//! Each envelope becomes the HTTP request Slack would have sent, signed
//! with `serve`'s own signing secret, and goes through the same router as
//! the HTTP routes: one code path, no bypass of the checks.

mod envelope;

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::{SinkExt as _, StreamExt as _};
use switchboard_core::edge::{self, Router};
use switchboard_core::outbound::{Backoff, Retries, TooLong};
use switchboard_core::secrets::{Secret, scrub};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use envelope::{Frame, Kind, Recent};

/// Slack wants an envelope acknowledged within 3 s; a slash command's
/// reply rides on its ack, so the command gets this long to answer.
const COMMAND_DEADLINE: Duration = Duration::from_millis(2500);
/// How long opening a WebSocket may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// A connection that stayed up this long resets the reconnect backoff.
const STABLE: Duration = Duration::from_secs(30);
/// How many envelope ids are remembered against redelivery.
const RECENT_IDS: usize = 1024;
/// Waits between failed attempts to (re)connect.
const RECONNECT: Backoff = Backoff {
    first: Duration::from_millis(500),
    max: Duration::from_secs(30),
    retries: u32::MAX,
    too_long: TooLong::WaitMax,
};

/// What the Socket Mode client needs from `serve`.
pub struct Link {
    pub http: reqwest::Client,
    /// Config `slack.api_url`.
    pub api_url: String,
    /// `SLACK_APP_TOKEN`, an app-level token with `connections:write`.
    pub app_token: Secret,
    /// The secret `serve`'s Slack routes check, to sign envelopes with.
    pub signing: Secret,
    pub router: Router,
}

/// Why `apps.connections.open` gave no URL; never shows the token.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("Slack answered {0}")]
    Slack(String),
    #[error("Slack is rate limiting apps.connections.open")]
    RateLimited(Option<Duration>),
    #[error("HTTP {0}")]
    Status(u16),
    #[error("{0}")]
    Transport(String),
}

/// `apps.connections.open`: the WebSocket URL to connect to. Its `ticket`
/// query lets anyone holding it in, so the URL is a secret too.
pub async fn open(
    http: &reqwest::Client,
    api_url: &str,
    app_token: &Secret,
) -> Result<Secret, OpenError> {
    let url = format!("{}/apps.connections.open", api_url.trim_end_matches('/'));
    let resp = http
        .post(url)
        .bearer_auth(app_token.expose())
        .header("content-type", edge::FORM)
        .send()
        .await
        .map_err(|e| OpenError::Transport(switchboard_core::slack::api::transport_causes(&e)))?;
    let status = resp.status().as_u16();
    if status == 429 {
        let asked = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse().ok())
            .map(Duration::from_secs);
        return Err(OpenError::RateLimited(asked));
    }
    if !(200..300).contains(&status) {
        return Err(OpenError::Status(status));
    }
    let body: serde_json::Value = resp
        .json()
        .await
        .map_err(|_| OpenError::Transport("the answer was not JSON".into()))?;
    match (body["ok"].as_bool(), body["url"].as_str()) {
        (Some(true), Some(url)) => Ok(Secret::new(url)),
        _ => Err(OpenError::Slack(
            body["error"].as_str().unwrap_or("no URL").to_owned(),
        )),
    }
}

/// Starts the client: it connects, answers envelopes, and reconnects
/// (with backoff) for as long as `serve` runs.
pub fn spawn(link: Link) -> tokio::task::JoinHandle<()> {
    let shared = Arc::new(Shared {
        link,
        recent: Mutex::new(Recent::new(RECENT_IDS)),
    });
    tokio::spawn(supervise(shared))
}

struct Shared {
    link: Link,
    recent: Mutex<Recent>,
}

impl Shared {
    fn first_time(&self, envelope_id: &str) -> bool {
        self.recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .first_time(envelope_id)
    }
}

/// What a connection tells the supervisor.
enum Event {
    /// Slack sent `disconnect`: this socket closes soon.
    Refresh { conn: u64, reason: String },
    /// The socket is gone.
    Closed { conn: u64 },
}

/// A connection's task; it owns the socket, so ending it closes it.
struct Conn {
    id: u64,
    task: tokio::task::JoinHandle<()>,
    since: Instant,
}

impl Conn {
    /// Closes the socket and waits until it is closed.
    async fn close(mut self) {
        self.task.abort();
        let _ = (&mut self.task).await;
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Keeps one connection up, two while one is replaced: a `disconnect`
/// opens the new socket before the old one closes.
async fn supervise(shared: Arc<Shared>) {
    let (events, mut inbox) = mpsc::unbounded_channel();
    let mut next_id = 0u64;
    let mut active: Option<Conn> = None;
    let mut draining: Option<Conn> = None;
    let mut retries = RECONNECT.start(None);
    loop {
        if active.is_none() {
            match connect(&shared).await {
                Ok(ws) => {
                    next_id += 1;
                    active = Some(start(next_id, ws, &shared, &events));
                }
                Err(e) => {
                    wait(&mut retries, &e).await;
                    continue;
                }
            }
        }
        let Some(event) = inbox.recv().await else {
            return;
        };
        match event {
            Event::Refresh { conn, reason } if active.as_ref().is_some_and(|a| a.id == conn) => {
                tracing::info!(reason, "slack asked for a new socket mode connection");
                // Never more than two: the older one is closed, and waited
                // for, before a third is opened.
                if let Some(old) = draining.take() {
                    old.close().await;
                }
                match connect(&shared).await {
                    Ok(ws) => {
                        next_id += 1;
                        draining = active.replace(start(next_id, ws, &shared, &events));
                    }
                    // The old socket still works; its close reconnects.
                    Err(e) => tracing::warn!(error = %e, "could not open a new socket"),
                }
            }
            Event::Refresh { .. } => {}
            Event::Closed { conn } => {
                if draining.as_ref().is_some_and(|d| d.id == conn) {
                    draining = None;
                } else if let Some(a) = active.take_if(|a| a.id == conn) {
                    tracing::warn!("the socket mode connection dropped; reconnecting");
                    if a.since.elapsed() >= STABLE {
                        retries = RECONNECT.start(None);
                    } else {
                        wait(&mut retries, &OpenError::Transport("dropped".into())).await;
                    }
                }
            }
        }
    }
}

async fn wait(retries: &mut Retries, error: &OpenError) {
    let asked = match error {
        OpenError::RateLimited(asked) => *asked,
        _ => None,
    };
    let pause = retries.next(asked).unwrap_or(RECONNECT.max);
    tracing::warn!(error = %error, wait_ms = pause.as_millis() as u64, "socket mode: retrying");
    tokio::time::sleep(pause).await;
}

/// Asks Slack for a URL and opens the WebSocket.
async fn connect(shared: &Shared) -> Result<Socket, OpenError> {
    let link = &shared.link;
    let url = open(&link.http, &link.api_url, &link.app_token).await?;
    // Errors may quote the URL, whose ticket is secret.
    let hide = |e: &dyn std::fmt::Display| {
        OpenError::Transport(scrub(
            &e.to_string(),
            [url.expose(), link.app_token.expose()],
        ))
    };
    let (ws, _) = tokio::time::timeout(
        CONNECT_TIMEOUT,
        tokio_tungstenite::connect_async(url.expose()),
    )
    .await
    .map_err(|e| hide(&e))?
    .map_err(|e| hide(&e))?;
    let host = reqwest::Url::parse(url.expose())
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    tracing::debug!(host, "socket mode websocket open");
    Ok(ws)
}

fn start(id: u64, ws: Socket, shared: &Arc<Shared>, events: &Events) -> Conn {
    let task = tokio::spawn(run(id, ws, shared.clone(), events.clone()));
    Conn {
        id,
        task,
        since: Instant::now(),
    }
}

/// Reads one socket until it closes, and writes the acks handlers queue;
/// one task owns the socket, so ending it closes the connection.
async fn run(id: u64, mut ws: Socket, shared: Arc<Shared>, events: Events) {
    // Unbounded, so queueing an ack never waits on this very loop.
    let (acks, mut outbox) = mpsc::unbounded_channel::<String>();
    loop {
        tokio::select! {
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) => {
                    on_frame(id, text.as_str(), &shared, &acks, &events);
                }
                Some(Ok(Message::Close(_))) | None => break,
                Some(Ok(_)) => {}
                Some(Err(e)) => {
                    tracing::debug!(error = %e, "socket mode read failed");
                    break;
                }
            },
            Some(text) = outbox.recv() => {
                if let Err(e) = ws.send(Message::text(text)).await {
                    tracing::warn!(error = %e, "could not send a socket mode ack");
                    break;
                }
            }
        }
    }
    let _ = events.send(Event::Closed { conn: id });
}

type Acks = mpsc::UnboundedSender<String>;
type Events = mpsc::UnboundedSender<Event>;

fn on_frame(conn: u64, text: &str, shared: &Arc<Shared>, acks: &Acks, events: &Events) {
    let frame: Frame = match serde_json::from_str(text) {
        Ok(f) => f,
        Err(e) => {
            tracing::warn!(error = %e, "an unreadable socket mode frame");
            return;
        }
    };
    match frame.kind.as_str() {
        "hello" => tracing::info!(conn, "socket mode connected"),
        "disconnect" => {
            let reason = frame.reason.unwrap_or_default();
            let _ = events.send(Event::Refresh { conn, reason });
        }
        other => match (Kind::of(other), frame.envelope_id.clone()) {
            (Some(kind), Some(envelope_id)) => {
                envelope(kind, envelope_id, frame, shared, acks);
            }
            _ => tracing::debug!(kind = other, "ignored a socket mode frame"),
        },
    }
}

/// Acks an envelope within Slack's 3 s and handles it once.
fn envelope(kind: Kind, envelope_id: String, frame: Frame, shared: &Arc<Shared>, acks: &Acks) {
    if !shared.first_time(&envelope_id) {
        // Delivered again after its ack was lost: answer, do not redo.
        let _ = acks.send(envelope::ack(&envelope_id, None));
        return;
    }
    let link = &shared.link;
    let Some(req) = envelope::request(kind, &frame, &link.signing) else {
        tracing::warn!(?kind, "a socket mode envelope without its payload");
        let _ = acks.send(envelope::ack(&envelope_id, None));
        return;
    };
    if kind != Kind::Command {
        // Events and presses answer nothing in their ack, so it goes first.
        let _ = acks.send(envelope::ack(&envelope_id, None));
    }
    let router = link.router.clone();
    let handled = tokio::spawn(async move {
        let reply = edge::dispatch(&router, req.path, &req.headers, &req.body).await;
        if reply.status >= 400 {
            tracing::warn!(
                ?kind,
                status = reply.status,
                "a socket mode envelope was refused"
            );
        }
        reply
    });
    if kind != Kind::Command {
        return;
    }
    let acks = acks.clone();
    tokio::spawn(async move {
        // Past the deadline the handler goes on and answers by response_url.
        let payload = match tokio::time::timeout(COMMAND_DEADLINE, handled).await {
            Ok(Ok(reply)) => envelope::reply_payload(&reply),
            Ok(Err(e)) => {
                tracing::error!(error = %e, "a socket mode command failed");
                None
            }
            Err(_) => {
                tracing::warn!("a socket mode command ran past its ack deadline");
                None
            }
        };
        let _ = acks.send(envelope::ack(&envelope_id, payload));
    });
}
