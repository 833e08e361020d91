//! `switchboard poll [--once]` and the schedule `serve` runs: the Trello
//! poller in this process, with the local config and state file.

use std::path::PathBuf;
use std::time::Duration;

use switchboard_core::config::Config;
use switchboard_core::runtime::{LocalPaths, Runtime};
use switchboard_core::secrets::Secrets;
use switchboard_poller::Poller;
use tokio::time::{Instant, MissedTickBehavior};

use crate::local;

/// A pass stops starting posts after this, as the Lambda would near its
/// 15-minute limit; what is left waits for the next pass.
const PASS_LIMIT: Duration = Duration::from_secs(14 * 60);

pub async fn run(
    config: Option<PathBuf>,
    state: Option<PathBuf>,
    once: bool,
) -> anyhow::Result<()> {
    let config_path = local::config_path(config)?;
    let config = Config::load(&config_path)?;
    let state = state.unwrap_or_else(|| config.state.path.clone());
    if !may_poll(&config) {
        println!(
            "{} has no [[poller.subscriptions]] and no Trello tracker; there is nothing to poll.",
            config_path.display()
        );
        return Ok(());
    }
    let rt = Runtime::local(
        config,
        &LocalPaths {
            config: config_path,
            state,
        },
        Secrets::from_env(),
    )?;
    let poller = Poller::from_runtime(rt);
    if !once {
        schedule(&poller).await;
        return Ok(());
    }
    let r = poller.run_once(Instant::now() + PASS_LIMIT).await;
    println!(
        "polled {} subscription(s): {} action(s) posted in {} message(s), {} Trello request(s); {} started from now, {} left for the next run, {} with more actions waiting, {} failed",
        r.subscriptions,
        r.actions_posted,
        r.messages,
        r.trello_requests,
        r.started,
        r.deferred,
        r.backlogged,
        r.failed
    );
    if r.failed > 0 {
        anyhow::bail!(
            "{} subscription(s) failed; the log above says why",
            r.failed
        );
    }
    Ok(())
}

/// Starts the poller on its schedule beside `serve`, when the config has
/// subscriptions.
pub async fn spawn_schedule(rt: Runtime) {
    let config = rt.config.get(rt.store.as_ref()).await;
    if !may_poll(&config) {
        tracing::info!(
            "no [[poller.subscriptions]] and no Trello tracker in the config, so Trello is not polled"
        );
        return;
    }
    let poller = Poller::from_runtime(rt);
    tokio::spawn(async move { schedule(&poller).await });
}

/// Whether there can be anything to poll: the config's subscriptions, or a
/// Trello tracker that channels may subscribe to boards of.
fn may_poll(config: &Config) -> bool {
    !config.poller.subscriptions.is_empty()
        || config
            .trackers
            .iter()
            .any(|t| t.kind == switchboard_core::config::TrackerKind::Trello)
}

/// A pass every `poller.every_seconds`; a pass that runs long delays the
/// next rather than overlapping it.
async fn schedule(poller: &Poller) {
    let every = Duration::from_secs(poller.config().await.poller.every_seconds);
    tracing::info!(every_secs = every.as_secs(), "polling Trello");
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        poller.run_once(Instant::now() + PASS_LIMIT).await;
    }
}
