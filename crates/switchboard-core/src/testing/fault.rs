//! A fault-injecting HTTP proxy for the fault tests: it sits between a
//! real client (the AWS SDK, reqwest) and the emulator or fake, forwards
//! every request, and for a chosen call lets the far side apply it, then
//! delays or drops the answer. That is the "outcome unknown" case every
//! once-promise must survive.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

/// What to do to the answers of matching requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer after this long (the client may have given up and retried).
    Delay(Duration),
    /// Never answer: close the connection once the far side has acted.
    Drop,
}

#[derive(Debug, Clone)]
struct Rule {
    /// A request matches when its head (request line and headers) contains
    /// this text, e.g. `DynamoDB_20120810.PutItem` in `X-Amz-Target`.
    needle: String,
    fault: Fault,
    /// How many more matching requests to fault.
    remaining: usize,
}

/// One request as the proxy saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub head: String,
    pub body: String,
    /// Whether its answer was faulted.
    pub faulted: bool,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    seen: Vec<Seen>,
}

/// A running proxy; it stops when the test's runtime ends.
#[derive(Clone)]
pub struct FaultProxy {
    url: String,
    state: Arc<Mutex<State>>,
}

impl FaultProxy {
    /// Starts a proxy on a free loopback port in front of `upstream`
    /// (`http://host:port`).
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind the fault proxy");
        let addr = listener.local_addr().expect("proxy address");
        let state = Arc::new(Mutex::new(State::default()));
        let upstream = upstream.trim_end_matches('/').to_owned();
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("proxy's client");
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (state, http, upstream) = (shared.clone(), http.clone(), upstream.clone());
                tokio::spawn(async move {
                    let _ = serve(socket, &state, &http, &upstream).await;
                });
            }
        });
        Self {
            url: format!("http://{addr}"),
            state,
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Faults the next `times` requests whose head contains `needle`.
    pub fn fault(&self, needle: &str, fault: Fault, times: usize) {
        self.lock().rules.push(Rule {
            needle: needle.to_owned(),
            fault,
            remaining: times,
        });
    }

    /// Every request seen so far whose head contains `needle`.
    pub fn seen(&self, needle: &str) -> Vec<Seen> {
        self.lock()
            .seen
            .iter()
            .filter(|s| s.head.contains(needle))
            .cloned()
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Serves one connection: one request, one answer, then close (clients
/// open a new connection for the next request).
async fn serve(
    mut socket: TcpStream,
    state: &Mutex<State>,
    http: &reqwest::Client,
    upstream: &str,
) -> std::io::Result<()> {
    let (head, body) = read_request(&mut socket).await?;
    let fault = {
        let mut s = state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fault = s
            .rules
            .iter_mut()
            .find(|r| r.remaining > 0 && head.contains(&r.needle))
            .map(|r| {
                r.remaining -= 1;
                r.fault
            });
        s.seen.push(Seen {
            head: head.clone(),
            body: String::from_utf8_lossy(&body).into_owned(),
            faulted: fault.is_some(),
        });
        fault
    };
    // The far side acts first, whatever then happens to its answer.
    let answer = forward(http, upstream, &head, body).await;
    match fault {
        Some(Fault::Drop) => return Ok(()),
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let (status, headers, body) = match answer {
        Ok(a) => a,
        Err(e) => (502, Vec::new(), e.to_string().into_bytes()),
    };
    let mut out = format!("HTTP/1.1 {status} X\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!(
        "content-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    ));
    socket.write_all(out.as_bytes()).await?;
    socket.write_all(&body).await?;
    socket.shutdown().await
}

async fn read_request(socket: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(n, _)| n.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

type Answer = (u16, Vec<(String, String)>, Vec<u8>);

async fn forward(
    http: &reqwest::Client,
    upstream: &str,
    head: &str,
    body: Vec<u8>,
) -> Result<Answer, reqwest::Error> {
    let mut lines = head.lines();
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("GET");
    let path = parts.next().unwrap_or("/");
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap_or(reqwest::Method::GET);
    let mut req = http.request(method, format!("{upstream}{path}"));
    for (name, value) in lines.filter_map(|l| l.split_once(':')) {
        let name = name.trim();
        // Hop-by-hop and framing headers are the proxy's own business; the
        // signed ones (host, x-amz-*) pass through unchanged.
        if [
            "content-length",
            "connection",
            "transfer-encoding",
            "expect",
        ]
        .iter()
        .any(|h| name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        req = req.header(name, value.trim());
    }
    let resp = req.body(body).send().await?;
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .filter(|(n, _)| {
            !["content-length", "connection", "transfer-encoding"].contains(&n.as_str())
        })
        .filter_map(|(n, v)| Some((n.to_string(), v.to_str().ok()?.to_owned())))
        .collect();
    let body = resp.bytes().await?.to_vec();
    Ok((status, headers, body))
}
