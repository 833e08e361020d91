//! Jira Cloud issues through REST API v3 (`GET /rest/api/3/issue/{key}`),
//! whose rich text comes as Atlassian Document Format (ADF); and their
//! workflow: status, transitions (`/rest/api/3/issue/{key}/transitions`)
//! and single-field edits (`PUT /rest/api/3/issue/{key}`).

use async_trait::async_trait;
use serde::Deserialize;
use serde_json::Value;
use switchboard_core::config::TrackerConfig;
use switchboard_core::secrets::Secret;

use crate::{
    Ticket, TicketRef, TicketView, Tracker, TrackerError, Transition, Workflow, time, wire,
};

/// Only the fields a card shows; an issue with every field is large.
const FIELDS: &str =
    "summary,status,issuetype,priority,assignee,reporter,fixVersions,updated,description";

/// Reads issues with basic auth: the account's email (the user secret) and
/// an API token.
pub struct Jira {
    http: reqwest::Client,
    name: String,
    web_url: String,
    api_url: String,
    email: Option<Secret>,
    token: Option<Secret>,
}

impl Jira {
    pub fn new(
        http: reqwest::Client,
        config: &TrackerConfig,
        user: Option<Secret>,
        token: Option<Secret>,
    ) -> Self {
        let (web_url, api_url) = wire::bases(config, None);
        Self {
            http,
            name: config.name.clone(),
            api_url,
            web_url,
            email: user,
            token,
        }
    }
}

impl Jira {
    /// A request carrying the account's credentials, asking for JSON.
    fn request(&self, method: reqwest::Method, url: url::Url) -> reqwest::RequestBuilder {
        let mut request = self
            .http
            .request(method, url)
            .header(reqwest::header::ACCEPT, "application/json");
        if let Some(email) = &self.email {
            request = request.basic_auth(email.expose(), self.token.as_ref().map(Secret::expose));
        }
        request
    }

    /// `/rest/api/3/issue/{key}` followed by `rest`; a key that could leave
    /// that path is refused before anything is sent.
    fn issue_url(&self, key: &str, rest: &[&str]) -> Result<url::Url, TrackerError> {
        let mut segments = vec!["rest", "api", "3", "issue", wire::path_key(key)?];
        segments.extend_from_slice(rest);
        wire::endpoint(&self.api_url, &segments)
    }
}

#[derive(Deserialize)]
struct Issue {
    key: String,
    fields: Fields,
}

// Jira sends `null` for an unset field, hence `Option` throughout.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Fields {
    summary: Option<String>,
    status: Option<Named>,
    issuetype: Option<Named>,
    priority: Option<Named>,
    assignee: Option<Person>,
    reporter: Option<Person>,
    fix_versions: Option<Vec<Named>>,
    updated: Option<String>,
    description: Option<Value>,
}

#[derive(Deserialize)]
struct Named {
    name: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    display_name: Option<String>,
}

fn name(named: Option<Named>) -> Option<String> {
    named.and_then(|n| wire::non_empty(n.name.as_deref()))
}

fn display_name(person: Option<Person>) -> Option<String> {
    person.and_then(|p| wire::non_empty(p.display_name.as_deref()))
}

impl Issue {
    fn into_ticket(self, web_url: &str) -> Ticket {
        let f = self.fields;
        Ticket {
            url: format!("{web_url}/browse/{}", self.key),
            display_id: self.key,
            summary: f.summary.unwrap_or_default().trim().to_owned(),
            status: name(f.status),
            kind: name(f.issuetype),
            priority: name(f.priority),
            owner: display_name(f.assignee),
            reporter: display_name(f.reporter),
            milestone: f
                .fix_versions
                .unwrap_or_default()
                .into_iter()
                .find_map(|v| name(Some(v))),
            updated_at: f.updated.as_deref().and_then(time::parse),
            description: wire::excerpt(&match f.description {
                // API v2 and some apps send plain text where v3 sends ADF.
                Some(Value::String(text)) => text,
                Some(doc) => adf_text(&doc),
                None => String::new(),
            }),
        }
    }
}

#[async_trait]
impl Tracker for Jira {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        let mut url = wire::endpoint(&self.api_url, &["rest", "api", "3", "issue", &link.key])?;
        url.query_pairs_mut().append_pair("fields", FIELDS);
        tracing::debug!(tracker = %self.name, path = url.path(), "fetching a Jira issue");
        let request = self.request(reqwest::Method::GET, url);
        // Jira Cloud answers 404, not 403, for an issue the account may not
        // see, so a missing permission also reads as "no such ticket".
        let issue: Issue = wire::json(&wire::body(request).await?)?;
        Ok(TicketView {
            ticket: issue.into_ticket(&self.web_url),
            comment: None,
        })
    }
}

/// The answer to `GET /rest/api/3/issue/{key}?fields=status`.
#[derive(Deserialize)]
struct StatusOnly {
    fields: StatusField,
}

#[derive(Deserialize)]
struct StatusField {
    status: Option<Named>,
}

/// The answer to `GET /rest/api/3/issue/{key}/transitions`.
#[derive(Deserialize)]
struct Transitions {
    transitions: Vec<JiraTransition>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct JiraTransition {
    id: String,
    name: String,
    to: Destination,
    /// Only present as `false` when unavailable transitions are asked for;
    /// read anyway so such an answer never offers one.
    is_available: Option<bool>,
}

/// A transition's target status; a transition without one cannot be chosen
/// by its destination, so the name is required.
#[derive(Deserialize)]
struct Destination {
    name: String,
}

#[async_trait]
impl Workflow for Jira {
    async fn status(&self, key: &str) -> Result<String, TrackerError> {
        let mut url = self.issue_url(key, &[])?;
        url.query_pairs_mut().append_pair("fields", "status");
        tracing::debug!(tracker = %self.name, path = url.path(), "reading a Jira issue's status");
        let issue: StatusOnly =
            wire::json(&wire::body(self.request(reqwest::Method::GET, url)).await?)?;
        name(issue.fields.status)
            .ok_or_else(|| TrackerError::Protocol("an issue without a status".into()))
    }

    async fn transitions(&self, key: &str) -> Result<Vec<Transition>, TrackerError> {
        let url = self.issue_url(key, &["transitions"])?;
        tracing::debug!(tracker = %self.name, path = url.path(), "listing a Jira issue's transitions");
        let answer: Transitions =
            wire::json(&wire::body(self.request(reqwest::Method::GET, url)).await?)?;
        Ok(answer
            .transitions
            .into_iter()
            .filter(|t| t.is_available != Some(false))
            .map(|t| Transition {
                id: t.id,
                name: t.name,
                to: t.to.name,
            })
            .collect())
    }

    async fn execute(&self, key: &str, transition: &Transition) -> Result<(), TrackerError> {
        let url = self.issue_url(key, &["transitions"])?;
        tracing::debug!(
            tracker = %self.name,
            path = url.path(),
            transition = %transition.id,
            "moving a Jira issue"
        );
        let body = serde_json::json!({ "transition": { "id": transition.id } });
        // Success is 204 with no content; any 2xx is taken as done.
        wire::body(self.request(reqwest::Method::POST, url).json(&body)).await?;
        Ok(())
    }

    async fn set_field(&self, key: &str, field: &str, value: &str) -> Result<(), TrackerError> {
        let url = self.issue_url(key, &[])?;
        tracing::debug!(tracker = %self.name, path = url.path(), field, "editing a Jira issue");
        // A plain string suits single-line fields; API v3 wants ADF for the
        // description and multi-line custom fields, and answers 400 here.
        let body = serde_json::json!({ "fields": { field: value } });
        wire::body(self.request(reqwest::Method::PUT, url).json(&body)).await?;
        Ok(())
    }
}

/// The text of an ADF document: blocks (paragraphs, headings, code, list
/// items) separated by blank lines, list items by line breaks with a
/// bullet or number, and mentions, emoji and links as their text.
fn adf_text(doc: &Value) -> String {
    let mut blocks = Vec::new();
    adf_blocks(doc, &mut blocks);
    blocks.join("\n\n")
}

fn node_type(node: &Value) -> &str {
    node.get("type").and_then(Value::as_str).unwrap_or_default()
}

fn children(node: &Value) -> impl Iterator<Item = &Value> {
    node.get("content")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
}

fn adf_blocks(node: &Value, blocks: &mut Vec<String>) {
    match node_type(node) {
        "paragraph" | "heading" | "codeBlock" => {
            let mut text = String::new();
            adf_inline(node, &mut text);
            let text = text.trim_end();
            if !text.trim().is_empty() {
                blocks.push(text.to_owned());
            }
        }
        kind @ ("bulletList" | "orderedList") => {
            let start = node
                .pointer("/attrs/order")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            let lines: Vec<String> = children(node)
                .zip(start..)
                .map(|(item, n)| {
                    let mut inner = Vec::new();
                    adf_blocks(item, &mut inner);
                    let marker = if kind == "orderedList" {
                        format!("{n}. ")
                    } else {
                        "• ".to_owned()
                    };
                    format!("{marker}{}", inner.join("\n"))
                })
                .collect();
            if !lines.is_empty() {
                blocks.push(lines.join("\n"));
            }
        }
        "text" | "mention" | "emoji" | "inlineCard" | "hardBreak" => {
            // Inline content outside a paragraph (seen in comments made by
            // apps) still counts as a block of its own.
            let mut text = String::new();
            adf_inline_node(node, &mut text);
            if !text.trim().is_empty() {
                blocks.push(text.trim().to_owned());
            }
        }
        _ => children(node).for_each(|child| adf_blocks(child, blocks)),
    }
}

fn adf_inline(node: &Value, out: &mut String) {
    children(node).for_each(|child| adf_inline_node(child, out));
}

fn adf_inline_node(node: &Value, out: &mut String) {
    let attr = |name: &str| {
        node.pointer(&format!("/attrs/{name}"))
            .and_then(Value::as_str)
    };
    match node_type(node) {
        "text" => out.push_str(node.get("text").and_then(Value::as_str).unwrap_or_default()),
        "hardBreak" => out.push('\n'),
        // A mention's text already starts with `@`.
        "mention" => out.push_str(attr("text").unwrap_or("@someone")),
        "emoji" => out.push_str(
            attr("text")
                .or_else(|| attr("shortName"))
                .unwrap_or_default(),
        ),
        "inlineCard" => out.push_str(attr("url").unwrap_or_default()),
        _ => adf_inline(node, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::testing;
    use serde_json::json;
    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::any;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    const ISSUE: &str = include_str!("../tests/fixtures/jira/issue.json");

    fn jira(api_url: &str) -> Jira {
        let config = testing::config(
            TrackerKind::Jira,
            "https://acme.atlassian.net",
            Some(api_url),
        );
        Jira::new(
            reqwest::Client::new(),
            &config,
            Some(Secret::new("dev@acme.example")),
            Some(Secret::new("api-token")),
        )
    }

    fn link() -> TicketRef {
        testing::link(TrackerKind::Jira, "SHOP-7", "")
    }

    #[tokio::test]
    async fn fetches_an_issue_and_maps_every_field() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string(ISSUE))
            .mount(&server)
            .await;

        let view = jira(&server.uri()).fetch(&link()).await.expect("an issue");

        assert_eq!(
            view.ticket,
            Ticket {
                display_id: "SHOP-7".into(),
                url: "https://acme.atlassian.net/browse/SHOP-7".into(),
                summary: "Checkout rejects addresses with “ß” in the street name".into(),
                status: Some("In Progress".into()),
                kind: Some("Bug".into()),
                priority: Some("High".into()),
                owner: Some("Jürgen Weiß".into()),
                reporter: Some("Mia Chen".into()),
                milestone: Some("2024.5".into()),
                updated_at: Some(1_715_000_000),
                description: "Customers in Germany cannot check out when the street \
                              contains ß.\n\nSteps:\n\n1. Add any item\n2. Enter \
                              Straße 5\nas the street\n\n• Seen by @Mia Chen 👀\n\
                              • See https://acme.atlassian.net/browse/SHOP-3"
                    .into(),
            }
        );
        assert_eq!(view.comment, None);

        let requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests.len(), 1);
        let sent = &requests[0];
        assert_eq!(sent.url.path(), "/rest/api/3/issue/SHOP-7");
        let query: Vec<(String, String)> = sent.url.query_pairs().into_owned().collect();
        assert_eq!(query, vec![("fields".to_owned(), FIELDS.to_owned())]);
        // base64("dev@acme.example:api-token")
        assert_eq!(
            sent.headers
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some("Basic ZGV2QGFjbWUuZXhhbXBsZTphcGktdG9rZW4=")
        );
    }

    #[tokio::test]
    async fn the_api_defaults_to_the_site_url() {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_string(ISSUE))
            .mount(&server)
            .await;
        let config = testing::config(TrackerKind::Jira, &format!("{}/jira/", server.uri()), None);
        let client = Jira::new(reqwest::Client::new(), &config, None, None);

        let view = client.fetch(&link()).await.expect("an issue");

        assert_eq!(
            view.ticket.url,
            format!("{}/jira/browse/SHOP-7", server.uri())
        );
        let requests = server.received_requests().await.expect("recording is on");
        assert_eq!(requests[0].url.path(), "/jira/rest/api/3/issue/SHOP-7");
        assert!(requests[0].headers.get("authorization").is_none());
    }

    #[tokio::test]
    async fn unset_fields_are_null_and_map_to_none() {
        let server = MockServer::start().await;
        let bare = json!({
            "key": "SHOP-8",
            "fields": {
                "summary": "Bare", "status": null, "issuetype": null, "priority": null,
                "assignee": null, "reporter": null, "fixVersions": [], "updated": null,
                "description": null
            }
        });
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(bare))
            .mount(&server)
            .await;

        let view = jira(&server.uri()).fetch(&link()).await.expect("an issue");

        assert_eq!(
            view.ticket,
            Ticket {
                display_id: "SHOP-8".into(),
                url: "https://acme.atlassian.net/browse/SHOP-8".into(),
                summary: "Bare".into(),
                ..Ticket::default()
            }
        );
    }

    #[tokio::test]
    async fn failures_map_to_tracker_errors() {
        testing::check_failures(
            jira,
            &link(),
            &["{\"key\": ", "[]", "{\"key\": \"SHOP-7\"}"],
        )
        .await;
    }

    #[test]
    fn adf_becomes_plain_text() {
        let check = |doc: Value, expected: &str| assert_eq!(adf_text(&doc), expected, "{doc}");
        let text = |t: &str| json!({"type": "text", "text": t});
        let para = |content: Vec<Value>| json!({"type": "paragraph", "content": content});
        let doc = |content: Vec<Value>| json!({"type": "doc", "version": 1, "content": content});

        check(doc(vec![]), "");
        check(
            doc(vec![para(vec![text("one")]), para(vec![text("two")])]),
            "one\n\ntwo",
        );
        check(
            doc(vec![para(vec![
                text("a"),
                json!({"type": "hardBreak"}),
                text("b"),
            ])]),
            "a\nb",
        );
        check(
            doc(vec![
                para(vec![]),
                para(vec![text("  ")]),
                para(vec![text("x")]),
            ]),
            "x",
        );
        check(
            doc(vec![
                json!({"type": "heading", "attrs": {"level": 2}, "content": [text("Title")]}),
            ]),
            "Title",
        );
        check(
            doc(vec![
                json!({"type": "codeBlock", "content": [text("let x = 1;\nx + 1")]}),
            ]),
            "let x = 1;\nx + 1",
        );
        check(
            doc(vec![
                json!({"type": "blockquote", "content": [para(vec![text("quoted")])]}),
            ]),
            "quoted",
        );
        check(
            doc(vec![
                json!({"type": "orderedList", "attrs": {"order": 3}, "content": [
                    {"type": "listItem", "content": [para(vec![text("c")])]},
                    {"type": "listItem", "content": [para(vec![text("d")])]}
                ]}),
            ]),
            "3. c\n4. d",
        );
        check(
            doc(vec![json!({"type": "bulletList", "content": [
                {"type": "listItem", "content": [
                    para(vec![text("outer")]),
                    {"type": "bulletList", "content": [
                        {"type": "listItem", "content": [para(vec![text("inner")])]}
                    ]}
                ]}
            ]})]),
            "• outer\n• inner",
        );
        check(
            doc(vec![para(vec![
                json!({"type": "mention", "attrs": {"id": "1", "text": "@Ann"}}),
                text(" "),
                json!({"type": "emoji", "attrs": {"shortName": ":tada:"}}),
                text(" "),
                json!({"type": "inlineCard", "attrs": {"url": "https://x.example"}}),
                json!({"type": "status", "attrs": {"text": "DONE"}}),
            ])]),
            "@Ann :tada: https://x.example",
        );
        check(
            doc(vec![
                json!({"type": "table", "content": [
                    {"type": "tableRow", "content": [
                        {"type": "tableCell", "content": [para(vec![text("cell 1")])]},
                        {"type": "tableCell", "content": [para(vec![text("cell 2")])]}
                    ]}
                ]}),
                json!({"type": "rule"}),
                para(vec![text("after")]),
            ]),
            "cell 1\n\ncell 2\n\nafter",
        );
        check(
            doc(vec![
                json!({"type": "mediaSingle", "content": [{"type": "media", "attrs": {"id": "m"}}]}),
            ]),
            "",
        );
        check(json!("not a document"), "");
        check(json!({"type": "doc", "content": "not a list"}), "");
    }

    mod workflow {
        use super::*;
        use wiremock::Request;
        use wiremock::matchers::{body_string, header, method, path, query_param};

        const TRANSITIONS: &str = include_str!("../tests/fixtures/jira/transitions.json");
        // base64("dev@acme.example:api-token")
        const AUTH: &str = "Basic ZGV2QGFjbWUuZXhhbXBsZTphcGktdG9rZW4=";

        fn header_of<'a>(sent: &'a Request, name: &str) -> Option<&'a str> {
            sent.headers.get(name).and_then(|v| v.to_str().ok())
        }

        /// The one request the server saw.
        async fn only_request(server: &MockServer) -> Request {
            let mut requests = server.received_requests().await.expect("recording is on");
            assert_eq!(requests.len(), 1, "one request");
            requests.remove(0)
        }

        /// A server that answers `verb path` with `status` and `body`, and
        /// only when the credentials are sent.
        async fn answering(verb: &str, at: &str, status: u16, body: &str) -> MockServer {
            let server = MockServer::start().await;
            Mock::given(method(verb))
                .and(path(at))
                .and(header("authorization", AUTH))
                .respond_with(ResponseTemplate::new(status).set_body_string(body))
                .expect(1)
                .mount(&server)
                .await;
            server
        }

        #[tokio::test]
        async fn lists_the_transitions_with_their_destinations() {
            let server = answering(
                "GET",
                "/rest/api/3/issue/SHOP-7/transitions",
                200,
                TRANSITIONS,
            )
            .await;

            let got = jira(&server.uri())
                .transitions("SHOP-7")
                .await
                .expect("transitions");

            let t = |id: &str, name: &str, to: &str| Transition {
                id: id.into(),
                name: name.into(),
                to: to.into(),
            };
            assert_eq!(
                got,
                vec![
                    t("2", "Close Issue", "In Progress"),
                    t("21", "Send to QA", "Ready for Test"),
                    t("711", "QA Review", "Closed"),
                ]
            );
            let sent = only_request(&server).await;
            assert_eq!(sent.url.query(), None);
            assert_eq!(header_of(&sent, "accept"), Some("application/json"));
        }

        #[tokio::test]
        async fn unavailable_transitions_are_not_offered() {
            let body = json!({"transitions": [
                {"id": "11", "name": "Start", "to": {"name": "In Progress"}, "isAvailable": false},
                {"id": "21", "name": "Send to QA", "to": {"name": "Ready for Test"}}
            ]});
            let server = answering(
                "GET",
                "/rest/api/3/issue/SHOP-7/transitions",
                200,
                &body.to_string(),
            )
            .await;

            let got = jira(&server.uri())
                .transitions("SHOP-7")
                .await
                .expect("transitions");

            let ids: Vec<&str> = got.iter().map(|t| t.id.as_str()).collect();
            assert_eq!(ids, ["21"]);
        }

        #[tokio::test]
        async fn reads_the_status_name_asking_for_that_field_only() {
            let body = json!({"id": "10002", "key": "SHOP-7", "fields": {"status": {
                "name": "In Progress", "id": "3",
                "statusCategory": {"key": "indeterminate", "name": "In Progress"}
            }}});
            let server = MockServer::start().await;
            Mock::given(method("GET"))
                .and(path("/rest/api/3/issue/SHOP-7"))
                .and(query_param("fields", "status"))
                .and(header("authorization", AUTH))
                .respond_with(ResponseTemplate::new(200).set_body_string(body.to_string()))
                .expect(1)
                .mount(&server)
                .await;

            let got = jira(&server.uri())
                .status("SHOP-7")
                .await
                .expect("a status");

            assert_eq!(got, "In Progress");
            let sent = only_request(&server).await;
            assert_eq!(sent.url.query(), Some("fields=status"));
        }

        #[tokio::test]
        async fn executes_a_transition_by_its_id() {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .and(path("/rest/api/3/issue/SHOP-7/transitions"))
                .and(header("authorization", AUTH))
                .and(header("content-type", "application/json"))
                .and(body_string(r#"{"transition":{"id":"21"}}"#))
                .respond_with(ResponseTemplate::new(204))
                .expect(1)
                .mount(&server)
                .await;
            let transition = Transition {
                id: "21".into(),
                name: "Send to QA".into(),
                to: "Ready for Test".into(),
            };

            jira(&server.uri())
                .execute("SHOP-7", &transition)
                .await
                .expect("moved");

            let sent = only_request(&server).await;
            assert_eq!(sent.body, br#"{"transition":{"id":"21"}}"#);
        }

        #[tokio::test]
        async fn sets_one_field_by_its_id() {
            let body = r#"{"fields":{"customfield_10050":"https://ci.example/build/42 “ok”"}}"#;
            let server = MockServer::start().await;
            Mock::given(method("PUT"))
                .and(path("/rest/api/3/issue/SHOP-7"))
                .and(header("authorization", AUTH))
                .and(header("content-type", "application/json"))
                .and(body_string(body))
                .respond_with(ResponseTemplate::new(204))
                .expect(1)
                .mount(&server)
                .await;

            jira(&server.uri())
                .set_field(
                    "SHOP-7",
                    "customfield_10050",
                    "https://ci.example/build/42 “ok”",
                )
                .await
                .expect("set");

            let sent = only_request(&server).await;
            assert_eq!(sent.url.query(), None);
            assert_eq!(sent.body, body.as_bytes());
        }

        #[tokio::test]
        async fn failures_map_to_tracker_errors() {
            testing::check_workflow_failures(jira).await;
        }

        #[tokio::test]
        async fn unreadable_answers_are_protocol_errors() {
            let status_bodies = [
                "not json",
                "[]",
                r#"{"key": "SHOP-7"}"#,
                r#"{"fields": {}}"#,
                r#"{"fields": {"status": null}}"#,
                r#"{"fields": {"status": {"name": " "}}}"#,
            ];
            for body in status_bodies {
                let server = answering("GET", "/rest/api/3/issue/A-1", 200, body).await;
                let got = jira(&server.uri()).status("A-1").await;
                assert!(
                    matches!(got, Err(TrackerError::Protocol(_))),
                    "{body}: {got:?}"
                );
            }
            let transition_bodies = [
                "",
                "{}",
                "[]",
                r#"{"transitions": [{"id": "2", "name": "Close"}]}"#,
                r#"{"transitions": [{"id": 2, "name": "Close", "to": {"name": "Closed"}}]}"#,
            ];
            for body in transition_bodies {
                let server = answering("GET", "/rest/api/3/issue/A-1/transitions", 200, body).await;
                let got = jira(&server.uri()).transitions("A-1").await;
                assert!(
                    matches!(got, Err(TrackerError::Protocol(_))),
                    "{body}: {got:?}"
                );
            }
        }

        #[tokio::test]
        async fn keys_that_could_leave_the_issue_path_are_refused_unsent() {
            testing::check_bad_keys(jira).await;
        }
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "key",
        "fields",
        "summary",
        "status",
        "issuetype",
        "priority",
        "assignee",
        "reporter",
        "fixVersions",
        "updated",
        "description",
        "name",
        "displayName",
        "type",
        "doc",
        "content",
        "text",
        "paragraph",
        "heading",
        "bulletList",
        "listItem",
        "codeBlock",
        "hardBreak",
        "mention",
        "attrs",
        "2017-07-18T13:33:44.291+0000",
    ];

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_answer_is_a_ticket_or_an_error(body in prop_oneof![
            any::<String>(),
            prop::json(WORDS).prop_map(|v| v.to_string()),
        ]) {
            let _ = wire::json::<Issue>(&body).map(|i| i.into_ticket("https://acme.atlassian.net"));
        }
    }
}
