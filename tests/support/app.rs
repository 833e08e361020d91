//! `spawn_app()`: the app `switchboard serve` runs, started inside the
//! test process.

use std::net::SocketAddr;
use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use switchboard::serve;
use switchboard_core::config::Config;
use switchboard_core::fakes::RecordingRunner;
use switchboard_core::jobs::JobSpec;
use switchboard_core::runtime::Runtime;
use switchboard_core::secrets::Secrets;
use switchboard_core::settings::LiveConfig;
use switchboard_core::state::FileStore;
use tokio::sync::oneshot;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::client::Client;
use crate::secrets::ENV;
use crate::slack::TS;

/// The config `spawn_app()` serves: help and jobs for anyone, and a backup
/// UANN may start. `{slack}` stands for the app's Slack stand-in.
pub const DEFAULT_CONFIG: &str = r#"
clients = ["acme"]
[slack]
api_url = "{slack}"
[jobs.backup]
command = ["true", "{client}"]
[commands.help]
public = true
[commands.jobs]
public = true
[commands.backup]
allow_users = ["UANN"]
"#;

/// How long a dropped app's blocking work (state file writes) may take to
/// finish before its runtime is let go.
const SHUTDOWN: Duration = Duration::from_secs(5);

/// A running app; stopped, with all its tasks, when dropped. Requests go
/// through the `Client` it derefs to.
pub struct TestApp {
    client: Client,
    pub addr: SocketAddr,
    /// The Slack Web API and response_url stand-in, answering every POST
    /// with `ok` and recording it; a config's `{slack}` points here.
    pub slack: MockServer,
    /// The job runner, the core's fake: it records what the app started
    /// and stops, and runs nothing.
    pub runner: Arc<RecordingRunner>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    // Removed only after the app has stopped writing to it (field order).
    _dir: tempfile::TempDir,
}

impl Deref for TestApp {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            // A panic in the app already failed the test that caused it.
            let _ = thread.join();
        }
    }
}

impl TestApp {
    /// A response_url on the Slack stand-in.
    pub fn response_url(&self) -> String {
        format!("{}/respond", self.slack.uri())
    }

    /// The jobs the app handed to its runner, in order.
    pub fn jobs_started(&self) -> Vec<JobSpec> {
        self.runner.specs()
    }
}

/// The app over `DEFAULT_CONFIG`.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(DEFAULT_CONFIG).await
}

/// The app over `config` (TOML, checked as `serve` checks it), holding the
/// secrets in `secrets::ENV`. A relative `[state] path` is in the app's
/// temp dir, as it is in `serve`'s working directory.
pub async fn spawn_app_with(config: &str) -> TestApp {
    let slack = slack_stand_in().await;
    let config = Config::parse(
        &config.replace("{slack}", &slack.uri()),
        "the test's config",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join(&config.state.path);
    let runner = Arc::new(RecordingRunner::default());
    let rt = Runtime {
        config: LiveConfig::fixed(config),
        secrets: Secrets::from_pairs(ENV.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))),
        store: Arc::new(FileStore::open(&state).expect("state file")),
        jobs: runner.clone(),
        http: switchboard_core::outbound::Http::lazy(),
    };
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let addr = listener.local_addr().expect("bound address");
    let (stop, stopped) = oneshot::channel::<()>();
    let (ready, started) = oneshot::channel();
    // Its own runtime, as `serve` has, so dropping the app ends every task
    // it spawned (connections, schedules) whatever the test's runtime does.
    let thread = std::thread::Builder::new()
        .name(format!("app {addr}"))
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("the app's runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                serve::spawn_schedules(&rt).await;
                let app = match serve::app(rt) {
                    Ok(app) => app,
                    Err(e) => {
                        let _ = ready.send(Err(format!("{e:#}")));
                        return;
                    }
                };
                let _ = ready.send(Ok(()));
                serve::accept_loop(listener, app, stopped)
                    .await
                    .expect("the accept loop");
            });
            runtime.shutdown_timeout(SHUTDOWN);
        })
        .expect("the app's thread");
    match started.await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("the app did not start: {e}"),
        Err(_) => panic!("the app's thread ended before it started"),
    }
    TestApp {
        client: Client::new(format!("http://{addr}"), state),
        addr,
        slack,
        runner,
        stop: Some(stop),
        thread: Some(thread),
        _dir: dir,
    }
}

/// A Slack that says `ok` to every POST (with a channel and message ts,
/// for the calls that return one) and records it.
async fn slack_stand_in() -> MockServer {
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(serde_json::json!({"ok": true, "channel": "C0STAND", "ts": TS})),
        )
        .mount(&slack)
        .await;
    slack
}
