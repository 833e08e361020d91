//! Where configuration lives and how it is refreshed: a file for the local
//! process, versioned items in the state store on AWS (`config push`).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::config::Config;
use crate::state::{Condition, Item, Key, Query, StateStore, StoreError};

const PK: &str = "config";
/// How often a function looks for a newer pushed config.
pub const REFRESH_EVERY: Duration = Duration::from_secs(60);

fn version_sk(version: u64) -> String {
    format!("v{version:010}")
}

/// Stores a checked config as the next version; returns its number.
pub async fn push(store: &dyn StateStore, config: &Config) -> anyhow::Result<u64> {
    for _ in 0..5 {
        let next = latest(store).await?.map_or(1, |(v, _)| v + 1);
        let item = Item {
            key: Key::new(PK, version_sk(next)),
            value: config.source.clone(),
            expires_at: None,
        };
        match store.put(item, Condition::Absent).await {
            Ok(()) => return Ok(next),
            // Someone pushed the same version number at the same moment.
            Err(StoreError::ConditionFailed) => continue,
            Err(StoreError::Other(e)) => return Err(e.context("storing the config")),
        }
    }
    anyhow::bail!("could not store the config: five concurrent pushes collided")
}

/// The newest pushed version and its text.
pub async fn latest(store: &dyn StateStore) -> anyhow::Result<Option<(u64, String)>> {
    let items = store
        .query(Query::partition(PK).prefix("v").descending().limit(1))
        .await
        .context("reading pushed config versions")?;
    Ok(items.into_iter().next().and_then(|i| {
        let v = i.key.sk.trim_start_matches('v').parse().ok()?;
        Some((v, i.value))
    }))
}

/// The config a long-running function uses, refreshed from the store at
/// most once a minute when it came from there. Clones share one state, so
/// every handler in a process sees the same version.
#[derive(Clone)]
pub struct LiveConfig {
    current: Arc<RwLock<(Arc<Config>, u64, Instant)>>,
    from_store: bool,
}

impl LiveConfig {
    /// A fixed config (the local process reads its file once).
    pub fn fixed(config: Config) -> Self {
        Self {
            current: Arc::new(RwLock::new((Arc::new(config), 0, Instant::now()))),
            from_store: false,
        }
    }

    /// Loads the newest pushed config that parses. A newer one that does
    /// not (pushed by a newer CLI, say) is logged and skipped, so one bad
    /// push cannot stop every cold start.
    pub async fn from_store(store: &dyn StateStore) -> anyhow::Result<Self> {
        let items = store
            .query(Query::partition(PK).prefix("v").descending().limit(10))
            .await
            .context("reading pushed config versions")?;
        if items.is_empty() {
            anyhow::bail!(
                "no configuration has been pushed yet: run `switchboard config push switchboard.toml` \
                 with SWITCHBOARD_TABLE set to this stack's table"
            );
        }
        let mut newest_error = None;
        for item in items {
            let Ok(version) = item.key.sk.trim_start_matches('v').parse::<u64>() else {
                continue;
            };
            match Config::parse(&item.value, &format!("pushed config v{version}")) {
                Ok(config) => {
                    if let Some(e) = &newest_error {
                        tracing::error!(error = %e, version, "newer pushed config is invalid; using an older one");
                    }
                    return Ok(Self {
                        current: Arc::new(RwLock::new((Arc::new(config), version, Instant::now()))),
                        from_store: true,
                    });
                }
                Err(e) => {
                    newest_error.get_or_insert(e);
                }
            }
        }
        match newest_error {
            Some(e) => {
                Err(anyhow::Error::new(e).context("no pushed config parses; push a valid one"))
            }
            None => anyhow::bail!("no pushed config version could be read"),
        }
    }

    /// The config to use for this request.
    pub async fn get(&self, store: &dyn StateStore) -> Arc<Config> {
        let (config, version, checked) = {
            let guard = self
                .current
                .read()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            (guard.0.clone(), guard.1, guard.2)
        };
        if !self.from_store || checked.elapsed() < REFRESH_EVERY {
            return config;
        }
        // Mark the check first so a slow or failing store is asked once a
        // minute, not on every request.
        self.set(config.clone(), version);
        match latest(store).await {
            Ok(Some((newer, text))) if newer > version => {
                match Config::parse(&text, &format!("pushed config v{newer}")) {
                    Ok(c) => {
                        tracing::info!(version = newer, "loaded a newer pushed config");
                        let c = Arc::new(c);
                        self.set(c.clone(), newer);
                        return c;
                    }
                    Err(e) => {
                        tracing::error!(version = newer, error = %e, "pushed config is invalid; keeping the current one")
                    }
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(
                error = format!("{e:#}"),
                "could not check for a newer config"
            ),
        }
        config
    }

    fn set(&self, config: Arc<Config>, version: u64) {
        let mut guard = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *guard = (config, version, Instant::now());
    }

    #[cfg(test)]
    fn age(&self, by: Duration) {
        let mut guard = self
            .current
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        guard.2 = Instant::now().checked_sub(by).unwrap_or_else(Instant::now);
    }
}

/// Clients that depend on the config (a Slack URL, tracker clients): built
/// once per config version and shared until a newer config arrives.
pub struct PerConfig<T> {
    build: Box<dyn Fn(&Config) -> T + Send + Sync>,
    cache: std::sync::Mutex<Option<(Arc<Config>, Arc<T>)>>,
}

impl<T> PerConfig<T> {
    pub fn new(build: impl Fn(&Config) -> T + Send + Sync + 'static) -> Self {
        Self {
            build: Box::new(build),
            cache: std::sync::Mutex::new(None),
        }
    }

    /// The value for this config, building it only when the config changed.
    pub fn get(&self, config: &Arc<Config>) -> Arc<T> {
        let mut cache = self
            .cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match cache.as_ref() {
            Some((c, value)) if Arc::ptr_eq(c, config) => value.clone(),
            _ => {
                let value = Arc::new((self.build)(config));
                *cache = Some((config.clone(), value.clone()));
                value
            }
        }
    }
}

#[cfg(test)]
mod tests;
