//! Every client a function talks to for one config: core's (Slack) and
//! each configured tracker's, by name. Built by one function, once per
//! config version.

use std::collections::BTreeMap;
use std::sync::Arc;

use switchboard_core::config::{Config, TrackerConfig, TrackerKind};
use switchboard_core::secrets::Secrets;
use switchboard_core::slack::Chat;
use switchboard_core::trello::TrelloApi;

use crate::codebase::Codebase;
use crate::jira::Jira;
use crate::site::Site;
use crate::trac::Trac;
use crate::trello::Trello;
use crate::yandex::Yandex;
use crate::{TicketLister, TicketRef, Tracker, Workflow, recognise};

/// Core's services and the trackers' clients, each by tracker name.
#[derive(Clone)]
pub struct Services {
    core: switchboard_core::services::Services,
    /// The trackers whose links are recognised.
    configs: Vec<TrackerConfig>,
    /// The real clients, one per tracker.
    clients: BTreeMap<String, Client>,
    /// Stand-ins put in by the `with_` methods; they win over `clients`.
    cards: BTreeMap<String, Arc<dyn Tracker>>,
    listers: BTreeMap<String, Arc<dyn TicketLister>>,
    workflows: BTreeMap<String, Arc<dyn Workflow>>,
}

/// A tracker's real client, kept by kind. A role (cards, listing,
/// workflow) becomes a trait object only when a function asks for it, so
/// a function's binary carries only the roles it uses: the bridge has no
/// Trac parser, the unfurler no workflow code.
#[derive(Clone)]
enum Client {
    Trac(Arc<Trac>),
    Codebase(Arc<Codebase>),
    Jira(Arc<Jira>),
    Yandex(Arc<Yandex>),
    Trello(Arc<Trello>),
}

impl Services {
    /// No tracker yet; the `with_` methods add them (tests, fakes).
    pub fn new(core: switchboard_core::services::Services) -> Self {
        Self {
            core,
            configs: Vec::new(),
            clients: BTreeMap::new(),
            cards: BTreeMap::new(),
            listers: BTreeMap::new(),
            workflows: BTreeMap::new(),
        }
    }

    /// The real clients for a config: one per tracker, serving each role
    /// its kind has. A Trello tracker without its key and token gets none,
    /// since Trello answers nothing without them.
    pub fn from_config(config: &Config, http: &reqwest::Client, secrets: &Secrets) -> Self {
        let mut services = Self::new(switchboard_core::services::Services::from_config(
            config, http, secrets,
        ));
        services.configs.clone_from(&config.trackers);
        for t in &config.trackers {
            let site = || Site::from_secrets(http, t, secrets);
            let client = match t.kind {
                TrackerKind::Trac => Client::Trac(Arc::new(Trac::new(site()))),
                TrackerKind::Codebase => Client::Codebase(Arc::new(Codebase::new(site()))),
                TrackerKind::Jira => Client::Jira(Arc::new(Jira::new(site()))),
                TrackerKind::Yandex => Client::Yandex(Arc::new(Yandex::new(site()))),
                TrackerKind::Trello => match TrelloApi::for_tracker(http, t, secrets) {
                    Some(api) => Client::Trello(Arc::new(Trello::new(t, api))),
                    None => continue,
                },
            };
            services.clients.insert(t.name.clone(), client);
        }
        services
    }

    /// Recognises links to `tracker` and fetches them with `cards`.
    pub fn with_cards(mut self, tracker: TrackerConfig, cards: Arc<dyn Tracker>) -> Self {
        self.cards.insert(tracker.name.clone(), cards);
        self.configs.push(tracker);
        self
    }

    pub fn with_lister(mut self, tracker: &str, lister: Arc<dyn TicketLister>) -> Self {
        self.listers.insert(tracker.to_owned(), lister);
        self
    }

    pub fn with_workflow(mut self, tracker: &str, workflow: Arc<dyn Workflow>) -> Self {
        self.workflows.insert(tracker.to_owned(), workflow);
        self
    }

    pub fn chat(&self) -> &Arc<dyn Chat> {
        self.core.chat()
    }

    /// The ticket a link points at, in one of the trackers.
    pub fn recognise(&self, link: &str) -> Option<TicketRef> {
        recognise(link, &self.configs)
    }

    /// The client that fetches a tracker's tickets for cards.
    pub fn cards(&self, tracker: &str) -> Option<Arc<dyn Tracker>> {
        if let Some(cards) = self.cards.get(tracker) {
            return Some(cards.clone());
        }
        Some(match self.clients.get(tracker)? {
            Client::Trac(c) => c.clone(),
            Client::Codebase(c) => c.clone(),
            Client::Jira(c) => c.clone(),
            Client::Yandex(c) => c.clone(),
            Client::Trello(c) => c.clone(),
        })
    }

    /// The client that lists a tracker's tickets (Trac, Codebase).
    pub fn lister(&self, tracker: &str) -> Option<Arc<dyn TicketLister>> {
        if let Some(lister) = self.listers.get(tracker) {
            return Some(lister.clone());
        }
        match self.clients.get(tracker)? {
            Client::Trac(c) => Some(c.clone()),
            Client::Codebase(c) => Some(c.clone()),
            Client::Jira(_) | Client::Yandex(_) | Client::Trello(_) => None,
        }
    }

    /// The client that moves a tracker's issues (Jira, Yandex Tracker).
    pub fn workflow(&self, tracker: &str) -> Option<Arc<dyn Workflow>> {
        if let Some(workflow) = self.workflows.get(tracker) {
            return Some(workflow.clone());
        }
        match self.clients.get(tracker)? {
            Client::Jira(c) => Some(c.clone()),
            Client::Yandex(c) => Some(c.clone()),
            Client::Trac(_) | Client::Codebase(_) | Client::Trello(_) => None,
        }
    }
}
