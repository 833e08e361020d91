//! The embedded store for `switchboard serve`: an append-only JSON-lines log
//! in one local file, replayed into memory. Writers in several processes
//! (serve and the workers it spawns) take an exclusive lock on a sidecar
//! lock file and catch up on the log before checking a condition, so the
//! conditional writes mean the same as they do on DynamoDB.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{BufRead as _, BufReader, Read as _, Seek as _, SeekFrom, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::{Condition, Item, Key, Query, StateStore, StoreError, apply_put, query_map};
use crate::clock::now_secs;

#[derive(Serialize, Deserialize)]
struct Line {
    pk: String,
    sk: String,
    v: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    exp: Option<i64>,
}

#[derive(Default)]
struct Replica {
    map: BTreeMap<Key, Item>,
    /// Bytes of the log already applied.
    offset: u64,
    /// Identity of the log file applied, to notice a compaction by another
    /// process (it replaces the file).
    identity: Option<(u64, u64)>,
    /// Writes since expired items were last swept and compaction weighed.
    writes_since_sweep: u32,
}

/// The store; its file work runs on the blocking pool, since a lock wait or
/// an fsync must not stall the async threads that serve requests.
#[derive(Clone)]
pub struct FileStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    lock: File,
    replica: Mutex<Replica>,
}

impl std::fmt::Debug for FileStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileStore")
            .field("path", &self.inner.path)
            .finish()
    }
}

/// Compaction rewrites the log only when it has grown past this many bytes
/// and mostly holds superseded or expired lines.
const COMPACT_AFTER_BYTES: u64 = 4 * 1024 * 1024;

/// A long-running `serve` drops expired items from memory, and weighs a
/// compaction, once every this many writes: often enough that neither the
/// file nor the map grows without bound, rarely enough to cost nothing.
const SWEEP_EVERY_WRITES: u32 = 4096;

#[cfg(unix)]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    use std::os::unix::fs::MetadataExt as _;
    (meta.dev(), meta.ino())
}

#[cfg(not(unix))]
fn identity(meta: &std::fs::Metadata) -> (u64, u64) {
    (0, meta.len())
}

impl FileStore {
    /// Opens (creating if needed) the store at `path`.
    pub fn open(path: &Path) -> anyhow::Result<Self> {
        Ok(Self {
            inner: Arc::new(Inner::open(path)?),
        })
    }

    /// Reads the whole log once, for tests that check what reached disk.
    pub fn raw_log(&self) -> anyhow::Result<String> {
        let mut text = String::new();
        File::open(&self.inner.path)?.read_to_string(&mut text)?;
        Ok(text)
    }

    /// Runs blocking file work off the async threads.
    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Inner) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&inner))
            .await
            .map_err(|e| StoreError::Other(anyhow::anyhow!("state file task failed: {e}")))?
    }
}

impl Inner {
    fn open(path: &Path) -> anyhow::Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("creating state directory {}", dir.display()))?;
        }
        let lock_path = path.with_extension("lock");
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .with_context(|| format!("opening lock file {}", lock_path.display()))?;
        let store = Self {
            path: path.to_owned(),
            lock,
            replica: Mutex::new(Replica::default()),
        };
        store.locked(true, |replica| store.compact_if_worthwhile(replica))?;
        Ok(store)
    }

    /// Runs `f` with the replica caught up, under the cross-process lock.
    fn locked<T>(
        &self,
        exclusive: bool,
        f: impl FnOnce(&mut Replica) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut replica = self
            .replica
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if exclusive {
            self.lock.lock()
        } else {
            self.lock.lock_shared()
        }
        .with_context(|| format!("locking {}", self.path.display()))?;
        let result = self
            .catch_up(&mut replica, exclusive)
            .and_then(|()| f(&mut replica));
        let unlocked = self.lock.unlock();
        let value = result?;
        unlocked.context("unlocking the state file")?;
        Ok(value)
    }

    fn catch_up(&self, replica: &mut Replica, may_repair: bool) -> anyhow::Result<()> {
        let mut file = match File::open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                *replica = Replica::default();
                return Ok(());
            }
            Err(e) => return Err(e).with_context(|| format!("opening {}", self.path.display())),
        };
        let meta = file.metadata().context("reading state file metadata")?;
        let id = identity(&meta);
        if replica.identity != Some(id) || meta.len() < replica.offset {
            *replica = Replica {
                identity: Some(id),
                ..Replica::default()
            };
        }
        file.seek(SeekFrom::Start(replica.offset))?;
        let mut reader = BufReader::new(&mut file);
        let mut line = String::new();
        loop {
            line.clear();
            let n = reader
                .read_line(&mut line)
                .context("reading the state log")?;
            if n == 0 {
                break;
            }
            if !line.ends_with('\n') {
                // A write cut short by a crash: drop it so the next append
                // starts on a clean line.
                if may_repair {
                    let f = OpenOptions::new().write(true).open(&self.path)?;
                    f.set_len(replica.offset)?;
                }
                break;
            }
            let parsed: Line = serde_json::from_str(line.trim_end()).with_context(|| {
                format!(
                    "{} is corrupt at byte {}; move it aside to start afresh",
                    self.path.display(),
                    replica.offset
                )
            })?;
            let key = Key::new(parsed.pk, parsed.sk);
            remember(
                &mut replica.map,
                Item {
                    key,
                    value: parsed.v,
                    expires_at: parsed.exp,
                },
                now_secs(),
            );
            replica.offset += n as u64;
        }
        Ok(())
    }

    fn append(&self, replica: &mut Replica, item: &Item) -> anyhow::Result<()> {
        let mut text = serde_json::to_string(&Line {
            pk: item.key.pk.clone(),
            sk: item.key.sk.clone(),
            v: item.value.clone(),
            exp: item.expires_at,
        })?;
        text.push('\n');
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .with_context(|| format!("opening {} for writing", self.path.display()))?;
        if replica.identity.is_none() {
            replica.identity = Some(identity(&file.metadata()?));
        }
        file.write_all(text.as_bytes())?;
        file.sync_data().context("flushing the state log")?;
        replica.offset += text.len() as u64;
        Ok(())
    }

    fn compact_if_worthwhile(&self, replica: &mut Replica) -> anyhow::Result<()> {
        let now = now_secs();
        let live: Vec<&Item> = replica.map.values().filter(|i| i.is_live(now)).collect();
        let live_bytes: u64 = live
            .iter()
            .map(|i| (i.key.pk.len() + i.key.sk.len() + i.value.len() + 40) as u64)
            .sum();
        if replica.offset < COMPACT_AFTER_BYTES || live_bytes * 2 > replica.offset {
            return Ok(());
        }
        let tmp = self.path.with_extension("compact");
        let mut out = std::io::BufWriter::new(File::create(&tmp)?);
        for item in &live {
            serde_json::to_writer(
                &mut out,
                &Line {
                    pk: item.key.pk.clone(),
                    sk: item.key.sk.clone(),
                    v: item.value.clone(),
                    exp: item.expires_at,
                },
            )?;
            out.write_all(b"\n")?;
        }
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, &self.path).context("replacing the compacted state log")?;
        *replica = Replica::default();
        self.catch_up(replica, true)
    }

    fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let now = now_secs();
        Ok(self.locked(false, |r| {
            Ok(r.map.get(key).filter(|i| i.is_live(now)).cloned())
        })?)
    }

    fn put(&self, item: Item, condition: &Condition) -> Result<(), StoreError> {
        let now = now_secs();
        let outcome = self.locked(true, |r| {
            // Check on a scratch copy of the one key, then persist, then
            // apply: memory never runs ahead of the disk.
            let mut probe = BTreeMap::new();
            if let Some(current) = r.map.get(&item.key) {
                probe.insert(item.key.clone(), current.clone());
            }
            match apply_put(&mut probe, item.clone(), condition, now) {
                Err(StoreError::ConditionFailed) => return Ok(false),
                Err(StoreError::Other(e)) => return Err(e),
                Ok(()) => {}
            }
            self.append(r, &item)?;
            remember(&mut r.map, item, now);
            r.writes_since_sweep += 1;
            if r.writes_since_sweep >= SWEEP_EVERY_WRITES {
                r.writes_since_sweep = 0;
                r.map.retain(|_, i| i.is_live(now));
                self.compact_if_worthwhile(r)?;
            }
            Ok(true)
        })?;
        if outcome {
            Ok(())
        } else {
            Err(StoreError::ConditionFailed)
        }
    }

    fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        let now = now_secs();
        Ok(self.locked(false, |r| Ok(query_map(&r.map, q, now)))?)
    }
}

/// Applies a logged write to the map: an expired item (a released claim,
/// a lapsed window) reads as absent everywhere, so it is not kept at all.
fn remember(map: &mut BTreeMap<Key, Item>, item: Item, now: i64) {
    if item.is_live(now) {
        map.insert(item.key.clone(), item);
    } else {
        map.remove(&item.key);
    }
}

#[async_trait]
impl StateStore for FileStore {
    async fn get(&self, key: &Key) -> Result<Option<Item>, StoreError> {
        let key = key.clone();
        self.blocking(move |inner| inner.get(&key)).await
    }

    async fn put(&self, item: Item, condition: Condition) -> Result<(), StoreError> {
        self.blocking(move |inner| inner.put(item, &condition))
            .await
    }

    async fn query(&self, q: Query<'_>) -> Result<Vec<Item>, StoreError> {
        // The blocking thread outlives the borrow, so it gets owned text.
        let (pk, sk_prefix) = (q.pk.to_owned(), q.sk_prefix.to_owned());
        let (order, limit) = (q.order, q.limit);
        self.blocking(move |inner| {
            inner.query(Query {
                pk: &pk,
                sk_prefix: &sk_prefix,
                order,
                limit,
            })
        })
        .await
    }
}

#[cfg(test)]
mod tests;
