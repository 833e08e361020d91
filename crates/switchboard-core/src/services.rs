//! The clients that depend on the config, built by one function and kept
//! for as long as that config is in force. These are the ones every
//! function may use without linking the trackers crate: Slack, and for the
//! poller Trello's action pages; `switchboard_trackers::Services` adds the
//! trackers.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::{Config, TrackerKind};
use crate::runtime::Runtime;
use crate::secrets::Secrets;
use crate::settings::{LiveConfig, PerConfig};
use crate::slack::{Chat, SlackWebApi};
use crate::state::StateStore;
use crate::trello::TrelloApi;
use crate::trello::actions::ActionSource;

/// Slack and each Trello tracker's action pages, for one config.
#[derive(Clone)]
pub struct Services {
    chat: Arc<dyn Chat>,
    /// Each Trello tracker that has a key and a token, by tracker name.
    trello: BTreeMap<String, Arc<dyn ActionSource>>,
}

impl Services {
    /// Slack alone; the `with_` methods add the rest (tests, fakes).
    pub fn new(chat: Arc<dyn Chat>) -> Self {
        Self {
            chat,
            trello: BTreeMap::new(),
        }
    }

    /// The real clients every function needs for a config: Slack. The
    /// poller adds Trello's action pages with `with_trello_actions`; no
    /// other function pages actions, so only its binary carries that code.
    pub fn from_config(config: &Config, http: &reqwest::Client, secrets: &Secrets) -> Self {
        Self::new(Arc::new(slack(config, http, secrets)))
    }

    /// Adds the action pages of each Trello tracker that has credentials.
    pub fn with_trello_actions(
        mut self,
        config: &Config,
        http: &reqwest::Client,
        secrets: &Secrets,
    ) -> Self {
        for t in &config.trackers {
            if t.kind == TrackerKind::Trello
                && let Some(api) = TrelloApi::for_tracker(http, t, secrets)
            {
                self = self.with_trello(&t.name, Arc::new(api));
            }
        }
        self
    }

    /// Reads the Trello tracker `tracker`'s boards through `source`.
    pub fn with_trello(mut self, tracker: &str, source: Arc<dyn ActionSource>) -> Self {
        self.trello.insert(tracker.to_owned(), source);
        self
    }

    pub fn chat(&self) -> &Arc<dyn Chat> {
        &self.chat
    }

    /// The action pages of a Trello tracker; `None` for one without
    /// credentials.
    pub fn trello(&self, tracker: &str) -> Option<&Arc<dyn ActionSource>> {
        self.trello.get(tracker)
    }
}

/// The Slack Web API client for a config: its API URL and the bot token.
pub(crate) fn slack(config: &Config, http: &reqwest::Client, secrets: &Secrets) -> SlackWebApi {
    SlackWebApi::new(
        http.clone(),
        &config.slack.api_url,
        secrets.slack_bot_token.clone(),
    )
}

/// The config in force and the services built for it: a newer config gets
/// new services, and until then every request shares one set.
pub struct Live<S> {
    config: LiveConfig,
    services: PerConfig<S>,
}

impl<S> Live<S> {
    pub fn new(config: LiveConfig, build: impl Fn(&Config) -> S + Send + Sync + 'static) -> Self {
        Self {
            config,
            services: PerConfig::new(build),
        }
    }

    /// The runtime's config, with services built by `build` from its HTTP
    /// client and secrets.
    pub fn from_runtime(
        rt: &Runtime,
        build: impl Fn(&Config, &reqwest::Client, &Secrets) -> S + Send + Sync + 'static,
    ) -> Self {
        let (http, secrets) = (rt.http.clone(), rt.secrets.clone());
        // The client is asked for here, when a request first needs these
        // services, so a process that never calls out never builds it.
        Self::new(rt.config.clone(), move |config| {
            build(config, http.client(), &secrets)
        })
    }

    /// The config for this request.
    pub async fn config(&self, store: &dyn StateStore) -> Arc<Config> {
        self.config.get(store).await
    }

    /// The config for this request and the services built for it.
    pub async fn get(&self, store: &dyn StateStore) -> (Arc<Config>, Arc<S>) {
        let config = self.config.get(store).await;
        let services = self.services.get(&config);
        (config, services)
    }
}
