//! What every HTTP tracker client is built from, read from the config and
//! the secrets in one place.

use switchboard_core::config::{TrackerConfig, TrackerKind};
use switchboard_core::secrets::{Secret, Secrets};

/// A configured tracker as its client reaches it.
#[derive(Debug, Clone)]
pub struct Site {
    pub(crate) http: reqwest::Client,
    pub(crate) config: TrackerConfig,
    /// Where people's links point, without a trailing slash.
    pub(crate) web_url: String,
    /// Where requests go, without a trailing slash: `api_url`, else the
    /// kind's public API, else the web base itself.
    pub(crate) api_url: String,
    /// A login, an account's email or an API key, as the kind wants it.
    pub(crate) user: Option<Secret>,
    pub(crate) token: Option<Secret>,
}

impl Site {
    pub fn new(
        http: reqwest::Client,
        config: &TrackerConfig,
        user: Option<Secret>,
        token: Option<Secret>,
    ) -> Self {
        let web_url = config.url.trim_end_matches('/').to_owned();
        let api_url = match (&config.api_url, public_api(config.kind)) {
            (Some(api), _) => api.trim_end_matches('/').to_owned(),
            (None, Some(public)) => public.to_owned(),
            (None, None) => web_url.clone(),
        };
        Self {
            http,
            config: config.clone(),
            web_url,
            api_url,
            user,
            token,
        }
    }

    /// With the tracker's secrets (`TRACKER_<NAME>_USER` and `_TOKEN`).
    pub fn from_secrets(http: &reqwest::Client, config: &TrackerConfig, secrets: &Secrets) -> Self {
        let user = secrets.tracker(&config.name, "USER").cloned();
        let token = secrets.tracker(&config.name, "TOKEN").cloned();
        Self::new(http.clone(), config, user, token)
    }

    /// The configured tracker's name, for logs.
    pub(crate) fn name(&self) -> &str {
        &self.config.name
    }
}

/// The API a kind's hosted service answers on, for kinds that have one.
fn public_api(kind: TrackerKind) -> Option<&'static str> {
    match kind {
        TrackerKind::Codebase => Some(crate::codebase::DEFAULT_API_URL),
        TrackerKind::Yandex => Some(crate::yandex::DEFAULT_API_URL),
        TrackerKind::Trello => Some(switchboard_core::trello::DEFAULT_API_URL),
        TrackerKind::Trac | TrackerKind::Jira => None,
    }
}
