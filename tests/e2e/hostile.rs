//! Hostile input on every HTTP route of the app: missing, garbled, stale
//! and future signatures, wrong content types, bodies over the limit,
//! invalid UTF-8, truncated and deeply nested bodies, huge text. Each gets a
//! specific 4xx with a message, the app keeps serving, and none of the
//! fakes behind it (Slack, Jenkins, Jira) hears a thing.

use std::time::Duration;

use switchboard_core::clock::now_secs;
use switchboard_core::edge::hub as signature;
use switchboard_core::reply::MAX_BODY_BYTES;
use switchboard_core::secrets::Secret;
use switchboard_core::slack::verify;
use switchboard_tests::config::every_route as config;
use switchboard_tests::jira::{executed, jira, payload as fixture, transitions};
use switchboard_tests::secrets::{SECRET, WEBHOOK_SECRET};
use switchboard_tests::spawn_app_with;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

const FORM: &str = "application/x-www-form-urlencoded";
const JSON: &str = "application/json";

/// A fake that fails the test (when dropped) if anything reaches it.
async fn untouchable() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .expect(0)
        .mount(&server)
        .await;
    server
}

#[derive(Clone, Copy)]
enum Auth {
    Slack,
    /// A `sha256=` HMAC in this header.
    Hub(&'static str),
}

/// One route, a well-formed body for it that would reach a fake if it got
/// through, and what its refusals say.
struct Route {
    path: &'static str,
    content_type: &'static str,
    auth: Auth,
    /// Headers a real sender always adds (event kind, delivery id).
    extra: Vec<(&'static str, &'static str)>,
    good: Vec<u8>,
    /// A body that nests JSON deeper than any parser should follow.
    deep: Vec<u8>,
    bad_signature_says: &'static str,
    bad_body_says: &'static str,
}

type Headers = Vec<(String, String)>;

impl Route {
    fn signed_at(&self, body: &[u8], ts: i64, secret: &str) -> Headers {
        let mut h = self.base();
        match self.auth {
            Auth::Slack => {
                h.push(("x-slack-request-timestamp".into(), ts.to_string()));
                h.push((
                    "x-slack-signature".into(),
                    verify::sign(&Secret::new(secret), ts, body),
                ));
            }
            Auth::Hub(name) => {
                h.push((name.into(), signature::sign(&Secret::new(secret), body)));
            }
        }
        h
    }

    fn signed(&self, body: &[u8]) -> Headers {
        let secret = match self.auth {
            Auth::Slack => SECRET,
            Auth::Hub(_) => WEBHOOK_SECRET,
        };
        self.signed_at(body, now_secs(), secret)
    }

    fn base(&self) -> Headers {
        let mut h = vec![("content-type".to_owned(), self.content_type.to_owned())];
        h.extend(
            self.extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        h
    }
}

fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

fn routes(jira: &str, slack: &str) -> Vec<Route> {
    let command = serde_urlencoded::to_string([
        ("team_id", "T0001"),
        ("user_id", "UANN"),
        ("channel_id", "C0GEN"),
        ("command", "/example"),
        ("text", "deploy --client acme --branch main"),
        ("response_url", &format!("{slack}/respond")),
    ])
    .expect("form");
    let press = switchboard_core::slack::interaction::button_form(
        "UANN",
        "sb_snooze",
        "jira/SHOP/12",
        &format!("{slack}/respond"),
    );
    let event = serde_json::json!({
        "type": "event_callback", "team_id": "T0001", "event_id": "EvHostile",
        "event": {
            "type": "link_shared", "channel": "C0ROOM", "user": "UANN",
            "message_ts": "1795000000.000100",
            "links": [{"domain": "127.0.0.1", "url": format!("{jira}/browse/SHOP-12")}]
        }
    })
    .to_string();
    let bench = serde_json::json!({"issue": "SHOP-12", "url": "https://bench.example/12"});
    // Far deeper than any payload; the parsers must refuse it, not recurse.
    let deep = nested(100_000);
    vec![
        Route {
            path: "/slack/commands",
            content_type: FORM,
            auth: Auth::Slack,
            extra: vec![],
            good: command.into_bytes(),
            deep: deep.clone().into_bytes(),
            bad_signature_says: "invalid Slack signature",
            bad_body_says: "slash-command form",
        },
        Route {
            path: "/slack/interactions",
            content_type: FORM,
            auth: Auth::Slack,
            extra: vec![],
            good: press.into_bytes(),
            deep: serde_urlencoded::to_string([("payload", deep.as_str())])
                .expect("form")
                .into_bytes(),
            bad_signature_says: "invalid Slack signature",
            bad_body_says: "interaction",
        },
        Route {
            path: "/slack/events",
            content_type: JSON,
            auth: Auth::Slack,
            extra: vec![],
            good: event.into_bytes(),
            deep: deep.clone().into_bytes(),
            bad_signature_says: "invalid Slack signature",
            bad_body_says: "Events API payload",
        },
        Route {
            path: "/webhooks/bitbucket",
            content_type: JSON,
            auth: Auth::Hub("x-hub-signature"),
            extra: vec![
                ("x-event-key", "pullrequest:approved"),
                ("x-request-uuid", "hostile-bb"),
            ],
            good: fixture("bitbucket/pullrequest-approved.json").into_bytes(),
            deep: deep.clone().into_bytes(),
            bad_signature_says: "signature",
            bad_body_says: "documented payload",
        },
        Route {
            path: "/webhooks/github",
            content_type: JSON,
            auth: Auth::Hub("x-hub-signature-256"),
            extra: vec![
                ("x-github-event", "pull_request"),
                ("x-github-delivery", "hostile-gh"),
            ],
            good: fixture("github/pull_request-closed-merged.json").into_bytes(),
            deep: deep.clone().into_bytes(),
            bad_signature_says: "signature",
            bad_body_says: "documented payload",
        },
        Route {
            path: "/webhooks/bench",
            content_type: JSON,
            auth: Auth::Hub("x-hub-signature-256"),
            extra: vec![],
            good: bench.to_string().into_bytes(),
            deep: deep.into_bytes(),
            bad_signature_says: "credentials",
            bad_body_says: "expected {",
        },
    ]
}

struct Case {
    what: &'static str,
    headers: Headers,
    body: Vec<u8>,
    status: u16,
    says: &'static str,
}

fn cases(r: &Route) -> Vec<Case> {
    let now = now_secs();
    let secret = match r.auth {
        Auth::Slack => SECRET,
        Auth::Hub(_) => WEBHOOK_SECRET,
    };
    let case = |what, headers, body: &[u8], status, says| Case {
        what,
        headers,
        body: body.to_vec(),
        status,
        says,
    };
    let good = &r.good;
    let mut other_body = good.clone();
    other_body.push(b' ');
    let garbled = match r.auth {
        Auth::Slack => vec![
            ("x-slack-request-timestamp".to_owned(), now.to_string()),
            (
                "x-slack-signature".to_owned(),
                "v0=not-hex-at-all".to_owned(),
            ),
        ],
        Auth::Hub(name) => vec![(name.to_owned(), "sha256=zz".to_owned())],
    };
    let mut out = vec![
        case("no signature", r.base(), good, 401, r.bad_signature_says),
        case(
            "garbled signature",
            r.base().into_iter().chain(garbled).collect(),
            good,
            401,
            r.bad_signature_says,
        ),
        case(
            "another secret",
            r.signed_at(good, now, "not-the-secret"),
            good,
            401,
            r.bad_signature_says,
        ),
        case(
            "the signature of another body",
            r.signed(&other_body),
            good,
            401,
            r.bad_signature_says,
        ),
        case(
            "wrong content type",
            r.signed(good)
                .into_iter()
                .map(|(k, v)| {
                    if k == "content-type" {
                        (k, "text/plain".into())
                    } else {
                        (k, v)
                    }
                })
                .collect(),
            good,
            415,
            "expected Content-Type",
        ),
        case(
            "invalid UTF-8",
            r.signed(b"\xff\xfe\xfd\x00\xc3("),
            b"\xff\xfe\xfd\x00\xc3(",
            400,
            r.bad_body_says,
        ),
        case(
            "truncated",
            r.signed(&good[..good.len() / 2]),
            &good[..good.len() / 2],
            400,
            r.bad_body_says,
        ),
        case("empty", r.signed(b""), b"", 400, r.bad_body_says),
        case(
            "deeply nested JSON",
            r.signed(&r.deep),
            &r.deep,
            400,
            r.bad_body_says,
        ),
    ];
    if let Auth::Slack = r.auth {
        // A minute outside the 5-minute window, so the time the request
        // takes cannot bring it back in. The window is also what bounds a
        // replayed slash command or button press.
        for (what, ts) in [("stale", now - 360), ("future", now + 360)] {
            out.push(case(
                what,
                r.signed_at(good, ts, secret),
                good,
                401,
                r.bad_signature_says,
            ));
        }
    }
    if let Some((event_header, _)) = r.extra.first() {
        let headers = r
            .signed(good)
            .into_iter()
            .filter(|(k, _)| k != event_header)
            .collect();
        out.push(case("no event header", headers, good, 400, event_header));
    }
    if r.path == "/slack/commands" {
        let huge = serde_urlencoded::to_string([
            ("team_id", "T0001"),
            ("user_id", "UANN"),
            ("channel_id", "C0GEN"),
            ("command", "/example"),
            ("text", &"deploy ".repeat(50_000)),
            (
                "response_url",
                "https://hooks.slack.com/commands/T0001/1/abc",
            ),
        ])
        .expect("form");
        out.push(case(
            "huge text",
            r.signed(huge.as_bytes()),
            huge.as_bytes(),
            400,
            "`text`",
        ));
    }
    out
}

#[tokio::test]
async fn every_route_refuses_hostile_input_with_a_specific_4xx() {
    let (slack, jenkins, jira) = (
        untouchable().await,
        untouchable().await,
        untouchable().await,
    );
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), &jenkins.uri())).await;
    let client = reqwest::Client::new();
    let mut checked = 0;
    for route in routes(&jira.uri(), &slack.uri()) {
        for case in cases(&route) {
            let mut req = client
                .post(format!("{}{}", served.base, route.path))
                .body(case.body.clone());
            for (k, v) in &case.headers {
                req = req.header(k, v);
            }
            let resp = req.send().await.expect("the app answers");
            let status = resp.status().as_u16();
            let text = resp.text().await.expect("body");
            assert_eq!(
                status, case.status,
                "{} with {}: {text}",
                route.path, case.what
            );
            assert!(
                text.contains(case.says),
                "{} with {}: {text:?} should say {:?}",
                route.path,
                case.what,
                case.says
            );
            checked += 1;
        }
    }
    assert!(checked >= 60, "only {checked} cases ran");
    let health = reqwest::get(format!("{}/healthz", served.base))
        .await
        .expect("still serving");
    assert_eq!(health.status().as_u16(), 200);
    // The fakes' expect(0) is checked when they drop; make it explicit.
    for fake in [&slack, &jenkins, &jira] {
        fake.verify().await;
    }
}

const ROUTES: [&str; 6] = [
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
    "/webhooks/bitbucket",
    "/webhooks/github",
    "/webhooks/bench",
];

/// Sends `head` and `body` on a fresh connection and returns the answer's
/// first bytes.
async fn raw(addr: &str, head: &str, body: &[u8]) -> String {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(body).await.expect("body");
    let mut answer = vec![0; 4096];
    let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut answer))
        .await
        .expect("an answer within 10 s")
        .expect("read");
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

/// A body declared longer than 1 MiB is refused on its headers alone (none
/// of it is sent); a chunked one, which declares no length, is cut off as
/// soon as it passes the limit.
#[tokio::test]
async fn bodies_over_1_mib_get_413_before_they_are_read() {
    let served = spawn_app_with(&config(
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
        "http://127.0.0.1:9",
    ))
    .await;
    let addr = served.base.trim_start_matches("http://");
    for path in ROUTES {
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             content-length: {}\r\n\r\n",
            MAX_BODY_BYTES + 1
        );
        let answer = raw(addr, &head, b"").await;
        assert!(
            answer.starts_with("HTTP/1.1 413") && answer.contains("larger than 1 MiB"),
            "{path} with a declared length: {answer}"
        );
    }
    // Exactly the limit in 64 KiB chunks, then one byte more; nothing after
    // it, so the server has read all there is when it answers.
    let chunk = vec![b'a'; 64 * 1024];
    let mut body = Vec::new();
    for _ in 0..MAX_BODY_BYTES / chunk.len() {
        body.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        body.extend_from_slice(&chunk);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"1\r\na\r\n");
    for path in ROUTES {
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {addr}\r\ncontent-type: application/json\r\n\
             transfer-encoding: chunked\r\n\r\n"
        );
        let answer = raw(addr, &head, &body).await;
        assert!(
            answer.starts_with("HTTP/1.1 413") && answer.contains("larger than 1 MiB"),
            "{path} chunked: {answer}"
        );
    }
}

/// The same signed GitHub delivery, five times at once: the issue moves
/// once and the rest are told it was already handled.
#[tokio::test]
async fn a_replayed_webhook_acts_once() {
    let jira = jira("SHOP-13", transitions()).await;
    let slack = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"ok": true})))
        .mount(&slack)
        .await;
    let served = spawn_app_with(&config(&jira.uri(), &slack.uri(), "http://127.0.0.1:9")).await;
    let body = fixture("github/pull_request-closed-merged.json");
    let headers = vec![
        ("x-github-event", "pull_request".to_owned()),
        ("x-github-delivery", "replayed-delivery-1".to_owned()),
        (
            "x-hub-signature-256",
            signature::sign(&Secret::new(WEBHOOK_SECRET), body.as_bytes()),
        ),
    ];
    let send = || served.webhook("/webhooks/github", &headers, &body);
    let replies = [send().await, send().await]
        .into_iter()
        .chain(futures_join(send(), send(), send()).await)
        .collect::<Vec<_>>();
    assert!(replies.iter().all(|(s, _)| *s == 200), "{replies:?}");
    let moved = replies.iter().filter(|(_, r)| r.contains("moved")).count();
    let repeats = replies
        .iter()
        .filter(|(_, r)| r.contains("already handled"))
        .count();
    assert_eq!((moved, repeats), (1, 4), "{replies:?}");
    assert_eq!(executed(&jira).await.len(), 1, "one transition in Jira");
}

async fn futures_join<F: std::future::Future>(a: F, b: F, c: F) -> [F::Output; 3] {
    let (a, b, c) = tokio::join!(a, b, c);
    [a, b, c]
}
