//! Every client a function talks to for one config: core's (Slack and
//! Trello's action pages) and each configured tracker's, by name. Built by
//! one function, once per config version.

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
    cards: BTreeMap<String, Arc<dyn Tracker>>,
    listers: BTreeMap<String, Arc<dyn TicketLister>>,
    workflows: BTreeMap<String, Arc<dyn Workflow>>,
}

impl Services {
    /// No tracker yet; the `with_` methods add them (tests, fakes).
    pub fn new(core: switchboard_core::services::Services) -> Self {
        Self {
            core,
            configs: Vec::new(),
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
            match t.kind {
                TrackerKind::Trac => services.add_listing(&t.name, Trac::new(site())),
                TrackerKind::Codebase => services.add_listing(&t.name, Codebase::new(site())),
                TrackerKind::Jira => services.add_workflow(&t.name, Jira::new(site())),
                TrackerKind::Yandex => services.add_workflow(&t.name, Yandex::new(site())),
                TrackerKind::Trello => {
                    if let Some(api) = TrelloApi::for_tracker(http, t, secrets) {
                        let trello = Arc::new(Trello::new(t, api));
                        services.cards.insert(t.name.clone(), trello);
                    }
                }
            }
        }
        services
    }

    /// One client that fetches cards and lists tickets.
    fn add_listing<T: Tracker + TicketLister + 'static>(&mut self, tracker: &str, client: T) {
        let client = Arc::new(client);
        self.listers.insert(tracker.to_owned(), client.clone());
        self.cards.insert(tracker.to_owned(), client);
    }

    /// One client that fetches cards and moves issues.
    fn add_workflow<T: Tracker + Workflow + 'static>(&mut self, tracker: &str, client: T) {
        let client = Arc::new(client);
        self.workflows.insert(tracker.to_owned(), client.clone());
        self.cards.insert(tracker.to_owned(), client);
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
    pub fn cards(&self, tracker: &str) -> Option<&Arc<dyn Tracker>> {
        self.cards.get(tracker)
    }

    /// The client that lists a tracker's tickets (Trac, Codebase).
    pub fn lister(&self, tracker: &str) -> Option<&Arc<dyn TicketLister>> {
        self.listers.get(tracker)
    }

    /// The client that moves a tracker's issues (Jira, Yandex Tracker).
    pub fn workflow(&self, tracker: &str) -> Option<&Arc<dyn Workflow>> {
        self.workflows.get(tracker)
    }
}
