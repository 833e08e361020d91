//! Where configuration lives and how it is refreshed: a file for the local
//! process, versioned items in the state store on AWS (`config push`).

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::config::Config;
use crate::state::{Condition, Item, Key, Order, StateStore, StoreError};

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
        .query(PK, "v", Order::Descending, 1)
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
            .query(PK, "v", Order::Descending, 10)
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
mod tests {
    use super::*;
    use crate::state::MemoryStore;

    fn config(text: &str) -> Config {
        Config::parse(text, "test").expect("valid")
    }

    #[tokio::test]
    async fn push_versions_and_refresh_within_a_minute() {
        let store = MemoryStore::new();
        assert!(
            LiveConfig::from_store(&store)
                .await
                .is_err_and(|e| e.to_string().contains("config push"))
        );
        let v1 = config("[commands.jobs]\npublic = true\n");
        assert_eq!(push(&store, &v1).await.expect("push"), 1);
        let live = LiveConfig::from_store(&store).await.expect("load");
        assert!(live.get(&store).await.access("deploy").is_none());

        let v2 = config("[commands.deploy]\nallow_users = [\"U1\"]\n");
        assert_eq!(push(&store, &v2).await.expect("push"), 2);
        // Within the minute the old one is still served…
        assert!(live.get(&store).await.access("deploy").is_none());
        // …and after it the new one, without a restart.
        live.age(REFRESH_EVERY);
        assert!(live.get(&store).await.access("deploy").is_some());
    }

    #[test]
    fn per_config_values_are_built_once_per_config() {
        let builds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counter = builds.clone();
        let per = PerConfig::new(move |c: &Config| {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            c.slack.api_url.clone()
        });
        let a = Arc::new(config(""));
        assert_eq!(*per.get(&a), crate::config::DEFAULT_SLACK_API_URL);
        per.get(&a);
        assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 1);
        let b = Arc::new(config("[slack]\napi_url = \"http://127.0.0.1:1\"\n"));
        assert_eq!(*per.get(&b), "http://127.0.0.1:1");
        assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_bad_newest_push_falls_back_to_the_last_good_one() {
        let store = MemoryStore::new();
        push(&store, &config("[commands.jobs]\npublic = true\n"))
            .await
            .expect("v1");
        // A version this build cannot read, as a newer CLI might push.
        store
            .put(
                Item {
                    key: Key::new(PK, version_sk(2)),
                    value: "[brand_new_section]\nx = 1\n".into(),
                    expires_at: None,
                },
                Condition::Absent,
            )
            .await
            .expect("v2");
        let live = LiveConfig::from_store(&store)
            .await
            .expect("falls back to v1");
        assert!(live.get(&store).await.access("jobs").is_some());
        // And a refresh does not switch to the bad one either.
        live.age(REFRESH_EVERY);
        assert!(live.get(&store).await.access("jobs").is_some());
    }

    #[tokio::test]
    async fn pushed_configs_load_from_dynamodb_on_moto() {
        let aws = crate::testing::moto::sdk_config().await;
        let table = crate::testing::moto::create_table(&aws).await;
        let store = crate::state::DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
        assert_eq!(
            push(&store, &config("[commands.jobs]\npublic = true\n"))
                .await
                .expect("v1"),
            1
        );
        assert_eq!(
            push(&store, &config("[commands.help]\npublic = true\n"))
                .await
                .expect("v2"),
            2
        );
        let live = LiveConfig::from_store(&store).await.expect("load");
        let current = live.get(&store).await;
        assert!(current.access("help").is_some() && current.access("jobs").is_none());
    }
}
