//! `switchboard`: run Switchboard locally, talk to it, manage its config.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use switchboard::{doctor, manifest, poll, scan, send, serve};

#[derive(Parser)]
#[command(
    name = "switchboard",
    version,
    about = "Connects ticket trackers to Slack."
)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve every Switchboard endpoint as one local process.
    Serve {
        /// Config file [default: ./switchboard.toml, else the example].
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on; port 0 picks a free one.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// State file [default: the config's state.path].
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Post new Trello board actions to their Slack channels: every
    /// `poller.every_seconds`, or one pass with --once.
    Poll {
        /// Config file [default: ./switchboard.toml, else the example].
        #[arg(long)]
        config: Option<PathBuf>,
        /// State file [default: the config's state.path].
        #[arg(long)]
        state: Option<PathBuf>,
        /// Run one pass and exit (non-zero if a subscription failed).
        #[arg(long)]
        once: bool,
    },
    /// Run the job in SWITCHBOARD_JOB, as the worker binary does; `serve`
    /// starts this when no `switchboard-worker` sits beside it.
    #[command(hide = true)]
    Worker,
    /// Sign a slash command and post it to a running `serve`.
    Send {
        /// The command line, e.g. '/example help'.
        text: String,
        /// Slack user id to send as.
        #[arg(long, default_value = "U0LOCALDEV")]
        user: String,
        /// Slack channel id to send from.
        #[arg(long, default_value = "C0LOCALDEV")]
        channel: String,
        /// Where `serve` listens.
        #[arg(long, default_value = "127.0.0.1:3000")]
        addr: String,
        /// Seconds to wait for follow-ups (job progress) after the reply.
        #[arg(long, default_value_t = 0)]
        wait: u64,
    },
    /// Run the stale-ticket scanner once: DM each person their forgotten
    /// tickets, and post the weekly summary when it is due.
    Scan {
        /// Print what would be sent, one JSON line each; send and write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Config file [default: ./switchboard.toml, else the example].
        #[arg(long)]
        config: Option<PathBuf>,
        /// State file [default: the config's state.path].
        #[arg(long)]
        state: Option<PathBuf>,
        /// Judge the tickets as at this time (RFC 3339), to preview a run.
        #[arg(long)]
        now: Option<String>,
    },
    /// Check a working install: the config, the secrets' presence, Slack
    /// auth.test, each tracker, the state store; one line per check.
    Doctor {
        /// Config file [default: ./switchboard.toml]; ignored when
        /// SWITCHBOARD_TABLE names the deployed table.
        #[arg(long)]
        config: Option<PathBuf>,
        /// State file [default: the config's state.path].
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Print the Slack app manifest with the deploy's URL, the slash command
    /// and the trackers' unfurl domains filled in.
    Manifest {
        /// The stack's ApiUrl output.
        #[arg(long)]
        api_url: Option<String>,
        /// Or the JSON of `sam list stack-outputs --output json`.
        #[arg(long, conflicts_with = "api_url")]
        outputs: Option<PathBuf>,
        /// Or Socket Mode, for `serve` with SLACK_APP_TOKEN: no request URLs.
        #[arg(long, conflicts_with_all = ["api_url", "outputs"])]
        socket_mode: bool,
        /// Config file [default: ./switchboard.toml].
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check or push configuration.
    Config {
        #[command(subcommand)]
        command: ConfigCmd,
    },
}

#[derive(Subcommand)]
enum ConfigCmd {
    /// Check a config file; exits non-zero and names the problem if it is bad.
    Check {
        /// The file [default: ./switchboard.toml].
        file: Option<PathBuf>,
    },
    /// Check a config file and store it, versioned, in the stack's table
    /// (SWITCHBOARD_TABLE), where the functions pick it up within a minute.
    Push { file: PathBuf },
}

#[tokio::main]
async fn main() -> ExitCode {
    switchboard_core::telemetry::init();
    let cli = Cli::parse();
    let result = match cli.command {
        Cmd::Serve {
            config,
            addr,
            state,
        } => serve::run(config, addr, state).await,
        Cmd::Poll {
            config,
            state,
            once,
        } => poll::run(config, state, once).await,
        Cmd::Send {
            text,
            user,
            channel,
            addr,
            wait,
        } => send::run(&text, &user, &channel, &addr, wait).await,
        Cmd::Scan {
            dry_run,
            config,
            state,
            now,
        } => scan::run(config, state, dry_run, now).await,
        Cmd::Doctor { config, state } => doctor::run(config, state).await,
        Cmd::Worker => switchboard_worker::run_from_env().await,
        Cmd::Manifest {
            api_url,
            outputs,
            socket_mode,
            config,
        } => manifest::run(api_url, outputs, socket_mode, config),
        Cmd::Config { command } => match command {
            ConfigCmd::Check { file } => config_check(file),
            ConfigCmd::Push { file } => config_push(&file).await,
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_check(file: Option<PathBuf>) -> anyhow::Result<()> {
    let path = file.unwrap_or_else(|| PathBuf::from("switchboard.toml"));
    let config = switchboard_core::config::Config::load(&path)?;
    println!(
        "{} is valid: {} command rule(s), {} job(s), Jenkins {}, {} tracker(s).",
        path.display(),
        config.commands.len(),
        config.jobs.len(),
        if config.jenkins.is_some() {
            "configured"
        } else {
            "not configured"
        },
        config.trackers.len(),
    );
    // Slack sends link_shared only for the app's unfurl domains, so say
    // which ones this config needs.
    let domains = manifest::unfurl_domains(&config);
    if !domains.is_empty() {
        println!(
            "unfurl domains for the Slack app manifest: {}",
            domains.join(", ")
        );
        if domains.len() > manifest::MAX_UNFURL_DOMAINS {
            println!("warning: Slack accepts at most 5 unfurl domains per app");
        }
    }
    Ok(())
}

async fn config_push(file: &std::path::Path) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let config = switchboard_core::config::Config::load(file)?;
    let table = std::env::var(switchboard_core::runtime::TABLE_VAR)
        .ok()
        .filter(|t| !t.is_empty())
        .context("set SWITCHBOARD_TABLE to the stack's table name (see the stack outputs)")?;
    let aws = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let store = switchboard_core::state::DynamoStore::new(
        aws_sdk_dynamodb::Client::new(&aws),
        table.clone(),
    );
    let version = switchboard_core::settings::push(&store, &config).await?;
    println!(
        "pushed {} as version {version} to table {table}; functions pick it up within a minute.",
        file.display()
    );
    Ok(())
}
