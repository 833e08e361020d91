//! The worker binary (ECS task, or a child of `switchboard serve`):
//! wiring only. Exits non-zero when the job failed.

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    switchboard_core::telemetry::init();
    switchboard_worker::run_from_env().await
}
