//! Yandex Tracker issues through API v3 (`GET /v3/issues/{key}`).
//!
//! The organisation goes in a header whose name depends on where the
//! organisation lives: `X-Org-ID` for Yandex 360 for Business, whose ids are
//! numbers, and `X-Cloud-Org-ID` for Yandex Cloud Organization, whose ids
//! are letters and digits (`bpf…`). The configured id decides which is
//! sent; when both kinds are linked the documentation asks for the Yandex
//! 360 one with `X-Org-ID`, which a numeric id gets.

use async_trait::async_trait;
use serde::Deserialize;
use switchboard_core::config::TrackerConfig;
use switchboard_core::secrets::Secret;

use crate::{Ticket, TicketRef, TicketView, Tracker, TrackerError, time, wire};

pub const DEFAULT_API_URL: &str = "https://api.tracker.yandex.net";

/// Reads issues with an OAuth token on behalf of one organisation.
pub struct Yandex {
    http: reqwest::Client,
    name: String,
    web_url: String,
    api_url: String,
    org_id: Option<String>,
    token: Option<Secret>,
}

impl Yandex {
    /// Yandex Tracker authenticates by token alone, so `user` is unused.
    pub fn new(
        http: reqwest::Client,
        config: &TrackerConfig,
        _user: Option<Secret>,
        token: Option<Secret>,
    ) -> Self {
        Self {
            http,
            name: config.name.clone(),
            web_url: config.url.trim_end_matches('/').to_owned(),
            api_url: config
                .api_url
                .clone()
                .unwrap_or_else(|| DEFAULT_API_URL.to_owned()),
            org_id: config
                .org_id
                .as_deref()
                .map(str::trim)
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            token,
        }
    }
}

/// The header that carries an organisation id.
fn org_header(org_id: &str) -> &'static str {
    if !org_id.is_empty() && org_id.bytes().all(|b| b.is_ascii_digit()) {
        "X-Org-ID"
    } else {
        "X-Cloud-Org-ID"
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Issue {
    key: String,
    summary: Option<String>,
    status: Option<Shown>,
    #[serde(rename = "type")]
    kind: Option<Shown>,
    priority: Option<Shown>,
    assignee: Option<Shown>,
    created_by: Option<Shown>,
    fix_versions: Option<Vec<Shown>>,
    updated_at: Option<String>,
    description: Option<String>,
}

/// A reference to another object, as Tracker nests them: `display` is the
/// name shown in the interface, in the organisation's language.
#[derive(Deserialize)]
struct Shown {
    display: Option<String>,
}

fn display(shown: Option<Shown>) -> Option<String> {
    shown.and_then(|s| wire::non_empty(s.display.as_deref()))
}

/// The documentation's example answer is an array holding the issue, while
/// the service answers with the issue itself; both are read.
#[derive(Deserialize)]
#[serde(untagged)]
enum Answer {
    One(Box<Issue>),
    Many(Vec<Issue>),
}

impl Issue {
    fn into_ticket(self, web_url: &str) -> Ticket {
        Ticket {
            url: format!("{web_url}/{}", self.key),
            display_id: self.key,
            summary: self.summary.unwrap_or_default().trim().to_owned(),
            status: display(self.status),
            kind: display(self.kind),
            priority: display(self.priority),
            owner: display(self.assignee),
            reporter: display(self.created_by),
            milestone: self
                .fix_versions
                .unwrap_or_default()
                .into_iter()
                .find_map(|v| display(Some(v))),
            updated_at: self.updated_at.as_deref().and_then(time::parse),
            description: wire::excerpt(self.description.as_deref().unwrap_or_default()),
        }
    }
}

#[async_trait]
impl Tracker for Yandex {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        let url = wire::endpoint(&self.api_url, &["v3", "issues", &link.key])?;
        tracing::debug!(tracker = %self.name, path = url.path(), "fetching a Yandex Tracker issue");
        let mut request = self
            .http
            .get(url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(token) = &self.token {
            request = request.header(
                reqwest::header::AUTHORIZATION,
                format!("OAuth {}", token.expose()),
            );
        }
        if let Some(org_id) = &self.org_id {
            request = request.header(org_header(org_id), org_id);
        }
        let issue = match wire::json::<Answer>(&wire::body(request).await?)? {
            Answer::One(issue) => *issue,
            Answer::Many(issues) => issues.into_iter().next().ok_or_else(|| {
                TrackerError::Protocol("an empty list instead of an issue".into())
            })?,
        };
        Ok(TicketView {
            ticket: issue.into_ticket(&self.web_url),
            comment: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing;
    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const ISSUE: &str = include_str!("../tests/fixtures/yandex/issue.json");

    fn yandex_in(api_url: &str, org_id: &str) -> Yandex {
        let mut config = testing::config(
            TrackerKind::Yandex,
            "https://tracker.yandex.ru/",
            Some(api_url),
        );
        config.org_id = Some(org_id.into());
        Yandex::new(
            reqwest::Client::new(),
            &config,
            None,
            Some(Secret::new("y0_oauth-token")),
        )
    }

    fn yandex(api_url: &str) -> Yandex {
        yandex_in(api_url, "7654321")
    }

    fn link() -> TicketRef {
        testing::link(TrackerKind::Yandex, "TREK-9844", "")
    }

    fn expected() -> Ticket {
        Ticket {
            display_id: "TREK-9844".into(),
            url: "https://tracker.yandex.ru/TREK-9844".into(),
            summary: "Не приходит письмо с подтверждением заказа".into(),
            status: Some("В работе".into()),
            kind: Some("Ошибка".into()),
            priority: Some("Критичный".into()),
            owner: Some("Алексей Петров".into()),
            reporter: Some("Мария Иванова".into()),
            milestone: Some("Релиз 2.4".into()),
            updated_at: Some(1_714_650_000),
            description: "После оплаты картой письмо не уходит.\n\n\
                          1. Оформить заказ\n2. Оплатить картой"
                .into(),
        }
    }

    async fn serve(body: &str) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        server
    }

    #[tokio::test]
    async fn fetches_an_issue_and_maps_every_field() {
        let server = serve(ISSUE).await;

        let view = yandex(&server.uri())
            .fetch(&link())
            .await
            .expect("an issue");

        assert_eq!(view.ticket, expected());
        assert_eq!(view.comment, None);
        let requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1);
        let sent = &requests[0];
        assert_eq!(sent.url.path(), "/v3/issues/TREK-9844");
        assert_eq!(sent.url.query(), None);
        let header = |name: &str| sent.headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("authorization"), Some("OAuth y0_oauth-token"));
        assert_eq!(header("x-org-id"), Some("7654321"));
        assert_eq!(header("x-cloud-org-id"), None);
    }

    #[tokio::test]
    async fn a_cloud_organisation_is_named_in_its_own_header() {
        let server = serve(ISSUE).await;

        yandex_in(&server.uri(), "bpf3crucp1v2ab8sd7r4")
            .fetch(&link())
            .await
            .expect("an issue");

        let requests = server.received_requests().await.expect("recording is on");
        let header = |name: &str| requests[0].headers.get(name).and_then(|v| v.to_str().ok());
        assert_eq!(header("x-cloud-org-id"), Some("bpf3crucp1v2ab8sd7r4"));
        assert_eq!(header("x-org-id"), None);
    }

    #[tokio::test]
    async fn the_documented_array_answer_is_read_too() {
        let server = serve(&format!("[{ISSUE}]")).await;

        let view = yandex(&server.uri())
            .fetch(&link())
            .await
            .expect("an issue");

        assert_eq!(view.ticket, expected());
    }

    #[tokio::test]
    async fn a_bare_issue_maps_to_empty_fields() {
        let server = serve(r#"{"key": "TREK-1", "summary": "Bare", "assignee": null}"#).await;

        let view = yandex(&server.uri())
            .fetch(&link())
            .await
            .expect("an issue");

        assert_eq!(
            view.ticket,
            Ticket {
                display_id: "TREK-1".into(),
                url: "https://tracker.yandex.ru/TREK-1".into(),
                summary: "Bare".into(),
                ..Ticket::default()
            }
        );
    }

    #[tokio::test]
    async fn failures_map_to_tracker_errors() {
        testing::check_failures(
            yandex,
            &link(),
            &[
                "{\"key\": ",
                "[]",
                "\"TREK-9844\"",
                "{\"summary\": \"no key\"}",
            ],
        )
        .await;
    }

    #[test]
    fn the_org_id_picks_the_header() {
        assert_eq!(org_header("7654321"), "X-Org-ID");
        assert_eq!(org_header("bpf3crucp1v2ab8sd7r4"), "X-Cloud-Org-ID");
        assert_eq!(org_header(""), "X-Cloud-Org-ID");
    }
}
