//! Starts `switchboard serve` as a child process; requests to it go
//! through the shared `Client` (switchboard-tests) that `Served` derefs to.

use std::io::{BufRead as _, BufReader};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub use switchboard_tests::secrets::SECRET;
use switchboard_tests::{Client, secrets};
pub use switchboard_tests::{eventually, reply};

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_switchboard"))
}

/// A running `serve`; killed when dropped.
pub struct Served {
    child: Child,
    client: Client,
    // Its working directory, kept until `serve` is gone.
    _dir: tempfile::TempDir,
    /// Everything `serve` wrote to stderr, when started with `capturing`.
    log: Option<std::sync::Arc<std::sync::Mutex<String>>>,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Deref for Served {
    type Target = Client;

    fn deref(&self) -> &Client {
        &self.client
    }
}

impl Served {
    /// Starts `serve --addr 127.0.0.1:0` in a temp dir with `config`.
    pub fn start(config: &str) -> Self {
        Self::spawn(config, false, &[])
    }

    /// Like `start`, with more variables in `serve`'s environment.
    pub fn with_env(config: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn(config, false, extra)
    }

    /// Like `start`, logging at trace level into a buffer (`log`).
    pub fn capturing(config: &str) -> Self {
        Self::spawn(config, true, &[])
    }

    /// `capturing` with more variables in `serve`'s environment.
    pub fn capturing_with_env(config: &str, extra: &[(&str, &str)]) -> Self {
        Self::spawn(config, true, extra)
    }

    /// What `serve` has logged so far (empty unless `capturing`).
    pub fn log(&self) -> String {
        self.log.as_ref().map_or_else(String::new, |l| {
            l.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        })
    }

    fn spawn(config: &str, capture: bool, extra: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let config_path = dir.path().join("switchboard.toml");
        std::fs::write(&config_path, config).expect("write config");
        let mut child = Command::new(bin())
            .args(["serve", "--addr", "127.0.0.1:0", "--config"])
            .arg(&config_path)
            .current_dir(dir.path())
            .envs(secrets::ENV)
            .env("RUST_LOG", if capture { "trace" } else { "info" })
            .envs(extra.iter().copied())
            .stdout(Stdio::piped())
            .stderr(if capture {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .expect("spawn switchboard serve");
        let log = child.stderr.take().map(|stderr| {
            let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
            let sink = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let mut l = sink
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    l.push_str(&line);
                    l.push('\n');
                }
            });
            log
        });
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read serve's first line");
        let base = line
            .trim()
            .strip_prefix("switchboard listening on ")
            .unwrap_or_else(|| panic!("unexpected first line from serve: {line:?}"))
            .to_owned();
        Self {
            child,
            client: Client::new(base, dir.path().join("state.jsonl")),
            _dir: dir,
            log,
        }
    }
}

/// The texts posted to the fake Slack's `/hook` response_url, in order.
pub async fn hook_texts(slack: &wiremock::MockServer) -> Vec<String> {
    slack
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .filter(|r| r.url.path() == "/hook")
        .map(|r| reply(&String::from_utf8_lossy(&r.body)).1)
        .collect()
}

pub fn fixture(name: &str, base: &str) -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text.replace("{base}", base)).expect("fixture JSON")
}
