//! `switchboard scan [--dry-run]`: one scanner pass against the local state
//! file (or the stack's table when SWITCHBOARD_TABLE is set).

use std::path::PathBuf;

use anyhow::Context as _;
use switchboard_core::config::Config;
use switchboard_core::runtime::{LocalPaths, Runtime, TABLE_VAR};
use switchboard_core::secrets::Secrets;
use switchboard_scanner::{Options, Scanner};

use crate::local;

pub async fn run(
    config: Option<PathBuf>,
    state: Option<PathBuf>,
    dry_run: bool,
    now: Option<String>,
) -> anyhow::Result<()> {
    let now = now
        .map(|t| {
            t.parse::<jiff::Timestamp>()
                .map(|t| t.as_second())
                .with_context(|| format!("--now {t:?} is not a time like 2026-11-23T09:00:00Z"))
        })
        .transpose()?;
    let rt = if std::env::var(TABLE_VAR).is_ok_and(|t| !t.is_empty()) {
        Runtime::from_env().await?
    } else {
        let config_path = local::config_path(config)?;
        let config = Config::load(&config_path)?;
        let state = state.unwrap_or_else(|| config.state.path.clone());
        Runtime::local(
            config,
            &LocalPaths {
                config: config_path,
                state,
            },
            Secrets::from_env(),
        )?
    };
    let scanner = Scanner::from_runtime(rt);
    let report = scanner
        .run(&Options {
            dry_run,
            now,
            ..Options::default()
        })
        .await?;
    if dry_run {
        for line in &report.planned {
            println!("{line}");
        }
    }
    eprintln!("{}", report.summary_json());
    Ok(())
}

/// Starts the scanner on its schedule beside `serve`, when the config has
/// projects: a first scan a minute after start (so a quick restart does not
/// rescan), then one every `[scanner] interval_minutes`. The ledger keeps
/// repeats quiet.
pub async fn spawn_schedule(rt: Runtime) {
    let config = rt.config.get(rt.store.as_ref()).await;
    if config.scanner.projects.is_empty() {
        return;
    }
    let every = std::time::Duration::from_secs(60 * config.scanner.interval_minutes);
    let scanner = Scanner::from_runtime(rt);
    tokio::spawn(async move {
        let first = every.min(std::time::Duration::from_secs(60));
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + first, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            if let Err(e) = scanner.run(&Options::default()).await {
                tracing::error!(error = format!("{e:#}"), "the scheduled scan failed");
            }
        }
    });
}
