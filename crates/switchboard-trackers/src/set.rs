//! The configured trackers, built once per config.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_core::config::{Config, TrackerConfig, TrackerKind};
use switchboard_core::secrets::Secrets;

use crate::{TicketRef, Tracker, recognise};

/// Every configured tracker with its client.
#[derive(Clone, Default)]
pub struct TrackerSet {
    configs: Vec<TrackerConfig>,
    clients: BTreeMap<String, Arc<dyn Tracker>>,
}

impl TrackerSet {
    /// Builds from explicit clients (tests, fakes).
    pub fn new(configs: Vec<TrackerConfig>, clients: BTreeMap<String, Arc<dyn Tracker>>) -> Self {
        Self { configs, clients }
    }

    /// Builds the real clients for a config.
    pub fn from_config(config: &Config, http: &reqwest::Client, secrets: &Secrets) -> Self {
        let clients = config
            .trackers
            .iter()
            .map(|t| {
                let user = secrets.tracker(&t.name, "USER").cloned();
                let token = secrets.tracker(&t.name, "TOKEN").cloned();
                let http = http.clone();
                let client: Arc<dyn Tracker> = match t.kind {
                    TrackerKind::Trac => Arc::new(crate::trac::Trac::new(http, t, user, token)),
                    TrackerKind::Codebase => {
                        Arc::new(crate::codebase::Codebase::new(http, t, user, token))
                    }
                    TrackerKind::Trello => {
                        Arc::new(crate::trello::Trello::new(http, t, user, token))
                    }
                    TrackerKind::Jira => Arc::new(crate::jira::Jira::new(http, t, user, token)),
                    TrackerKind::Yandex => {
                        Arc::new(crate::yandex::Yandex::new(http, t, user, token))
                    }
                };
                (t.name.clone(), client)
            })
            .collect();
        Self {
            configs: config.trackers.clone(),
            clients,
        }
    }

    pub fn recognise(&self, link: &str) -> Option<TicketRef> {
        recognise(link, &self.configs)
    }

    pub fn client(&self, tracker: &str) -> Option<Arc<dyn Tracker>> {
        self.clients.get(tracker).cloned()
    }

    /// A human name for a tracker kind, for card footers.
    pub fn label(kind: TrackerKind) -> &'static str {
        match kind {
            TrackerKind::Trac => "Trac",
            TrackerKind::Codebase => "Codebase",
            TrackerKind::Trello => "Trello",
            TrackerKind::Jira => "Jira",
            TrackerKind::Yandex => "Yandex Tracker",
        }
    }
}

/// The listing clients, by tracker name, for the trackers that can list
/// (Trac and Codebase).
pub fn listers_from_config(
    config: &Config,
    http: &reqwest::Client,
    secrets: &Secrets,
) -> BTreeMap<String, Arc<dyn crate::TicketLister>> {
    config
        .trackers
        .iter()
        .filter_map(|t| {
            let user = secrets.tracker(&t.name, "USER").cloned();
            let token = secrets.tracker(&t.name, "TOKEN").cloned();
            let http = http.clone();
            let lister: Arc<dyn crate::TicketLister> = match t.kind {
                TrackerKind::Trac => Arc::new(crate::trac::Trac::new(http, t, user, token)),
                TrackerKind::Codebase => {
                    Arc::new(crate::codebase::Codebase::new(http, t, user, token))
                }
                TrackerKind::Trello | TrackerKind::Jira | TrackerKind::Yandex => return None,
            };
            Some((t.name.clone(), lister))
        })
        .collect()
}

/// The workflow client for a tracker that has one (Jira, Yandex Tracker).
pub fn workflow_for(
    t: &TrackerConfig,
    http: &reqwest::Client,
    secrets: &Secrets,
) -> Option<Arc<dyn crate::Workflow>> {
    let user = secrets.tracker(&t.name, "USER").cloned();
    let token = secrets.tracker(&t.name, "TOKEN").cloned();
    match t.kind {
        TrackerKind::Jira => Some(Arc::new(crate::jira::Jira::new(
            http.clone(),
            t,
            user,
            token,
        ))),
        TrackerKind::Yandex => Some(Arc::new(crate::yandex::Yandex::new(
            http.clone(),
            t,
            user,
            token,
        ))),
        _ => None,
    }
}
