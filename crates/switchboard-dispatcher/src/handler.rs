//! The slash-command handler: verify → parse → allow → run → reply, the
//! same for the Lambda and for `switchboard serve`.

use std::sync::Arc;
use std::time::Duration;

use switchboard_core::audit::{self, AuditEntry, Outcome};
use switchboard_core::ci::{CiError, CiServer, Jenkins};
use switchboard_core::clock::now_secs;
use switchboard_core::config::Config;
use switchboard_core::edge::{Auth, Edge, FORM, Verified};
use switchboard_core::ids::short_job_id as short;
use switchboard_core::jobs::{JobRecord, JobRunner, JobStatus, Work};
use switchboard_core::outbound::Http;
use switchboard_core::reply::Reply;
use switchboard_core::runtime::Runtime;
use switchboard_core::secrets::Secrets;
use switchboard_core::services::Services;
use switchboard_core::settings::{LiveConfig, PerConfig};
use switchboard_core::slack::{Message, SlashCommand, escape};
use switchboard_core::state::StateStore;
use tracing::Instrument as _;

use crate::access::{Decision, decide};
use crate::commands::{Command, JobsAction, Parsed, parse};
use crate::launch::NO_JENKINS;

/// What someone from a workspace outside `slack.team_ids` is told.
pub(crate) const FOREIGN_TEAM: &str = "Switchboard serves only its own workspace; nothing was run.";
/// Slack wants an answer within 3 s; an inline call to Jenkins gets this long.
const JENKINS_TRIGGER_TIMEOUT: Duration = Duration::from_millis(2000);
/// How long the worker looks for a build whose trigger got no answer;
/// Jenkins' quiet period (5 s by default) hides a new item at first.
const JENKINS_LOOK_SECS: u64 = 120;
/// Jenkins' clock and ours may disagree; a build this much "older" than
/// the trigger still counts as its own.
const JENKINS_CLOCK_MARGIN_MS: i64 = 60_000;

/// What went wrong while running a command.
#[derive(Debug, thiserror::Error)]
pub(crate) enum RunError {
    /// The person can fix it; the text says how.
    #[error("{0}")]
    User(String),
    /// Not theirs to fix; logged with its cause, answered generically.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<switchboard_core::state::StoreError> for RunError {
    fn from(e: switchboard_core::state::StoreError) -> Self {
        Self::Internal(anyhow::Error::new(e).context("state store"))
    }
}

/// The dispatcher and the clients it holds for its whole life.
pub struct Dispatcher {
    pub(crate) config: LiveConfig,
    pub(crate) secrets: Secrets,
    pub(crate) store: Arc<dyn StateStore>,
    pub(crate) jobs: Arc<dyn JobRunner>,
    /// The HTTP client, built when a request first calls out.
    pub(crate) http: Http,
    /// Answers button presses through their `response_url`; made at the
    /// first press.
    responder: std::sync::OnceLock<switchboard_core::slack::SlackWebApi>,
    /// Slack with the bot token, which posts and updates jobs' live messages.
    pub(crate) services: PerConfig<Services>,
    /// The Jenkins client for the current config (none without [jenkins]).
    pub(crate) jenkins: PerConfig<Option<Jenkins>>,
    /// The Trello client `trello subscribe` checks boards with.
    pub(crate) trello: PerConfig<crate::trello::TrelloSetup>,
}

impl Dispatcher {
    pub fn new(
        config: LiveConfig,
        secrets: Secrets,
        store: Arc<dyn StateStore>,
        jobs: Arc<dyn JobRunner>,
        http: Http,
    ) -> Self {
        let (user, token) = (secrets.jenkins_user.clone(), secrets.jenkins_token.clone());
        // Each client below is built when a request first needs it, so the
        // HTTP client is too.
        let trello = crate::trello::setup(http.clone(), secrets.clone());
        let services = {
            let (http, secrets) = (http.clone(), secrets.clone());
            PerConfig::new(move |c: &Config| Services::from_config(c, http.client(), &secrets))
        };
        let jenkins = {
            let http = http.clone();
            PerConfig::new(move |c: &Config| {
                c.jenkins.as_ref().map(|j| {
                    Jenkins::new(http.client().clone(), &j.url, user.clone(), token.clone())
                        .with_request_timeout(JENKINS_TRIGGER_TIMEOUT)
                })
            })
        };
        Self {
            config,
            secrets,
            store,
            jobs,
            http,
            responder: std::sync::OnceLock::new(),
            services,
            jenkins,
            trello,
        }
    }

    /// The client that answers button presses: a `response_url` needs
    /// neither the API base nor the bot token.
    pub(crate) fn responder(&self) -> &switchboard_core::slack::SlackWebApi {
        self.responder.get_or_init(|| {
            switchboard_core::slack::SlackWebApi::new(self.http.client().clone(), "", None)
        })
    }

    /// Builds the dispatcher from the process runtime; without a signing
    /// secret it could only refuse requests, so that fails start-up instead.
    pub fn from_runtime(rt: Runtime) -> anyhow::Result<Self> {
        if rt.secrets.slack_signing_secret.is_none() {
            anyhow::bail!(
                "SLACK_SIGNING_SECRET is missing: set it in the environment, or on AWS put it in the \
                 stack's secret (aws secretsmanager put-secret-value --secret-id $SWITCHBOARD_SECRET_ID …)"
            );
        }
        Ok(Self::new(rt.config, rt.secrets, rt.store, rt.jobs, rt.http))
    }

    /// The dispatcher's routes: slash commands and button presses, both
    /// signed by Slack.
    pub fn edge(self: Arc<Self>) -> Edge {
        let auth = Auth::Slack(self.secrets.slack_signing_secret.clone());
        let commands = self.clone();
        Edge::new()
            .route("/slack/commands", FORM, auth.clone(), move |req| {
                let d = commands.clone();
                async move { d.command(&req).await }
            })
            .route("/slack/interactions", FORM, auth, move |req| {
                let d = self.clone();
                async move { d.interaction(&req).await }
            })
    }

    /// Handles a verified `POST /slack/commands`.
    pub async fn command(&self, req: &Verified) -> Reply {
        let cmd = match SlashCommand::from_form(req.body()) {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(error = %e, "rejected a malformed slash command");
                return Reply::plain(400, &e.to_string());
            }
        };
        let span = tracing::info_span!(
            "slash_command",
            team = %cmd.team,
            user = %cmd.user,
            channel = %cmd.channel,
            command = %cmd.command,
            subcommand = tracing::field::Empty,
            outcome = tracing::field::Empty,
        );
        let message = self.dispatch(&cmd).instrument(span).await;
        Reply::message(&message)
    }

    async fn dispatch(&self, cmd: &SlashCommand) -> Message {
        let config = self.config.get(self.store.as_ref()).await;
        let span = tracing::Span::current();
        // A Slack Connect channel admits other workspaces' members; only
        // the configured workspaces may run anything, help included.
        let (name, outcome, detail, message) = if !config.slack.admits_team(Some(&cmd.team)) {
            (
                "refused",
                Outcome::Denied,
                format!("team {} is not in slack.team_ids", cmd.team),
                Message::ephemeral(FOREIGN_TEAM),
            )
        } else {
            match parse(&cmd.command, &cmd.text) {
                Parsed::Help(text) => (
                    "help",
                    Outcome::Ok,
                    String::new(),
                    Message::ephemeral(code_block(&text)),
                ),
                Parsed::Invalid(text) => (
                    "invalid",
                    Outcome::UserError,
                    first_line(&text),
                    Message::ephemeral(code_block(&text)),
                ),
                Parsed::Run(command) => {
                    let name = command.name();
                    span.record("subcommand", name);
                    match decide(name, config.access(name), &cmd.user, &cmd.channel) {
                        Decision::Denied(refusal) => (
                            name,
                            Outcome::Denied,
                            refusal.code().to_owned(),
                            Message::ephemeral(refusal.explain(name)),
                        ),
                        Decision::Allowed => match self.ask_or_run(&config, cmd, &command).await {
                            Ok((outcome, message)) => (name, outcome, String::new(), message),
                            Err(RunError::User(text)) => (
                                name,
                                Outcome::UserError,
                                text.clone(),
                                Message::ephemeral(text),
                            ),
                            Err(RunError::Internal(e)) => {
                                tracing::error!(
                                    error = format!("{e:#}"),
                                    "command failed unexpectedly"
                                );
                                (
                                    name,
                                    Outcome::InternalError,
                                    "see logs".to_owned(),
                                    Message::ephemeral(
                                        "Something went wrong on my side; nothing was started. \
                                     The details are in Switchboard's logs.",
                                    ),
                                )
                            }
                        },
                    }
                }
            }
        };
        span.record("outcome", outcome.as_str());
        tracing::info!(command = name, outcome = outcome.as_str(), "handled");
        let entry = AuditEntry {
            at: now_secs(),
            team: cmd.team.to_string(),
            user: cmd.user.to_string(),
            channel: cmd.channel.to_string(),
            command: name.to_owned(),
            text: cmd.text.clone(),
            outcome: outcome.as_str().to_owned(),
            detail,
        };
        audit::record(self.store.as_ref(), &entry).await;
        message
    }

    /// Runs the command, or asks first when its config says so.
    async fn ask_or_run(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
        command: &Command,
    ) -> Result<(Outcome, Message), RunError> {
        if config.access(command.name()).is_some_and(|a| a.confirm) {
            Ok((Outcome::Asked, self.ask(config, cmd, command).await?))
        } else {
            Ok((Outcome::Ok, self.run(config, cmd, command).await?))
        }
    }

    pub(crate) async fn run(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
        command: &Command,
    ) -> Result<Message, RunError> {
        match command {
            Command::Jobs {
                action: Some(JobsAction::Cancel { id }),
                ..
            } => Ok(self
                .cancel_command(config, &cmd.user, &cmd.channel, id)
                .await?
                .1),
            Command::Jobs {
                limit,
                action: None,
            } => self.list_jobs(cmd, usize::from(*limit)).await,
            Command::Deploy {
                client,
                branch,
                issue,
            } => {
                self.deploy(config, cmd, client, branch, issue.as_deref())
                    .await
            }
            Command::Trello { action } => self.trello(config, cmd, action).await,
            Command::Backup { client } => {
                self.run_job(config, cmd, "backup", client, &[("client", client)])
                    .await
            }
            Command::Restore { client, from } => {
                self.run_job(
                    config,
                    cmd,
                    "restore",
                    client,
                    &[("client", client), ("from", from)],
                )
                .await
            }
        }
    }

    pub(crate) fn check_client(config: &Config, client: &str) -> Result<(), RunError> {
        if config.clients.is_empty() || config.clients.iter().any(|c| c == client) {
            Ok(())
        } else {
            Err(RunError::User(format!(
                "I don't know the client `{}`. Known clients: {}.",
                escape(client),
                config.clients.join(", ")
            )))
        }
    }

    async fn deploy(
        &self,
        config: &Arc<Config>,
        cmd: &SlashCommand,
        client: &str,
        branch: &str,
        issue: Option<&str>,
    ) -> Result<Message, RunError> {
        // The client exists exactly when the config has a [jenkins] section.
        let ci = self.jenkins.get(config);
        let (Some(jenkins), Some(ci)) = (&config.jenkins, ci.as_ref()) else {
            return Err(RunError::User(NO_JENKINS.into()));
        };
        Self::check_client(config, client)?;
        if let Some(issue) = issue
            && (config.bridge.project_for(issue).is_none() || config.bridge.bench_field.is_none())
        {
            return Err(RunError::User(format!(
                "I can't link a test bench to `{}`: it needs a [[bridge.projects]] entry for its \
                 project and bridge.bench_field in the config.",
                escape(issue)
            )));
        }
        let summary = match issue {
            Some(issue) => format!("{client} {branch} ({issue})"),
            None => format!("{client} {branch}"),
        };
        // The record exists before Jenkins is asked, so a build that gets
        // queued is never one nobody knows about.
        let mut record = self.record(cmd, "deploy", &summary).await?;
        let params = vec![
            (jenkins.client_param.clone(), client.to_owned()),
            (jenkins.branch_param.clone(), branch.to_owned()),
        ];
        let sent_at = switchboard_core::clock::now_millis();
        let queued = match ci.trigger(&jenkins.job, &params).await {
            Ok(q) => q,
            Err(CiError::Unknown(why)) => {
                tracing::warn!(
                    why,
                    "Jenkins did not answer the trigger; the build may be queued"
                );
                return self
                    .deploy_unknown(
                        cmd,
                        &mut record,
                        &jenkins.job,
                        params,
                        sent_at,
                        summary,
                        issue,
                    )
                    .await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "Jenkins did not queue the build");
                self.mark_failed(&mut record, "Jenkins did not queue the build")
                    .await;
                return Err(RunError::User(match e {
                    CiError::Unreachable(why) => format!(
                        "Jenkins is not answering ({why}), so nothing was deployed. Try again in a minute."
                    ),
                    CiError::Auth(_) => {
                        "Jenkins refused Switchboard's credentials, so nothing was deployed. \
                                         Ask an admin to check the Jenkins token."
                            .into()
                    }
                    CiError::NoSuchJob(_) => format!(
                        "Jenkins has no job `{}`, so nothing was deployed. Ask an admin to check [jenkins].job.",
                        jenkins.job
                    ),
                    other => format!(
                        "Jenkins could not queue the build ({other}), so nothing was deployed."
                    ),
                }));
            }
        };
        record.link = Some(queued.url.clone());
        let work = Work::JenkinsBuild {
            queue_url: queued.url.clone(),
            summary,
            issue: issue.map(str::to_owned),
        };
        let reach = match self.launch(&mut record, cmd, work).await {
            Ok(reach) => reach,
            Err(e) => {
                tracing::error!(job = %record.id, error = format!("{e:#}"), "could not start the worker for a queued build");
                // The build is queued: saying "try again" would deploy twice.
                return Err(RunError::User(format!(
                    "Jenkins has queued the deploy (<{}|queue item>), but I can't follow it to post the result. \
                 Don't run it again; check Jenkins for the outcome.",
                    queued.url
                )));
            }
        };
        Ok(Self::news(
            reach,
            format!(
                "<@{}> is deploying *{}* `{}` — job `{}`. Jenkins has queued it; I'll post the result here.",
                cmd.user,
                escape(client),
                escape(branch),
                short(&record.id),
            ),
        ))
    }

    /// The trigger went out and no answer came: the worker looks for the
    /// build in Jenkins and follows it, or says nothing was deployed.
    #[allow(clippy::too_many_arguments)]
    async fn deploy_unknown(
        &self,
        cmd: &SlashCommand,
        record: &mut JobRecord,
        job: &str,
        params: Vec<(String, String)>,
        sent_at_ms: i64,
        summary: String,
        issue: Option<&str>,
    ) -> Result<Message, RunError> {
        self.mark(
            record,
            JobStatus::Unknown,
            "Jenkins did not answer the trigger; the deploy may be queued",
        )
        .await;
        let work = Work::JenkinsFind {
            job: job.to_owned(),
            params,
            since_ms: sent_at_ms - JENKINS_CLOCK_MARGIN_MS,
            look_secs: JENKINS_LOOK_SECS,
            summary: summary.clone(),
            issue: issue.map(str::to_owned),
        };
        let checking = match self.launch(record, cmd, work).await {
            Ok(_) => "I'm looking for it in Jenkins and will post here what I find.".to_owned(),
            Err(e) => {
                tracing::error!(job = %record.id, error = format!("{e:#}"), "could not start the worker to find the build");
                // launch recorded a refused start as failed; the deploy
                // itself is still unknown.
                self.mark(
                    record,
                    JobStatus::Unknown,
                    "Jenkins did not answer; nobody is following the deploy",
                )
                .await;
                "I can't follow it for you: check Jenkins.".to_owned()
            }
        };
        Ok(Message::in_channel(format!(
            "<@{}> asked to deploy *{}* — job `{}`. Jenkins did not answer in time, so the deploy \
             *may have been queued*. {checking} Don't run it again until then.",
            cmd.user,
            escape(&summary),
            short(&record.id),
        )))
    }
}

pub(crate) fn code_block(text: &str) -> String {
    format!("```\n{}\n```", escape(text.trim_end()))
}

pub(crate) fn first_line(text: &str) -> String {
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// The whole edge in-process, for tests: a request as Slack sends it.
#[cfg(test)]
impl Dispatcher {
    pub(crate) async fn handle_command(
        self: &Arc<Self>,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Reply {
        let app = self.clone().edge().into_router();
        switchboard_core::edge::dispatch(&app, "/slack/commands", headers, body).await
    }

    pub(crate) async fn handle_interaction(
        self: &Arc<Self>,
        headers: &http::HeaderMap,
        body: &[u8],
    ) -> Reply {
        let app = self.clone().edge().into_router();
        switchboard_core::edge::dispatch(&app, "/slack/interactions", headers, body).await
    }
}

#[cfg(test)]
mod tests;
