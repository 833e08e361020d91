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
        switchboard_scanner::check_config(&config.scanner)?;
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
