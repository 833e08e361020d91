//! Trac. Two ways in: the XML-RPC plugin (JSON-RPC or XML-RPC at `/rpc`,
//! `/login/rpc` with credentials), or the CSV and RSS exports every stock
//! Trac serves. Both RPC encodings are read into one small value tree, so
//! the ticket and change-log logic exists once.

mod dates;
mod export;
mod markup;
mod rpc;

use async_trait::async_trait;
use reqwest::header::CONTENT_TYPE;
use switchboard_core::config::{TracMode, TrackerConfig};
use switchboard_core::secrets::Secret;

use crate::listing::split_labels;
use crate::{
    ListedTicket, Ticket, TicketLister, TicketRef, TicketView, Tracker, TrackerError, status_error,
    transport,
};

use dates::parse_export_date;
use export::{parse_csv, rss_comments};
pub use markup::{MARKUP_PREFIX_BYTES, wiki_to_text};
use rpc::{
    Param, RpcError, Value, comment_from_log, fault_error, parse_json_response, parse_xml_response,
    xml_call,
};

/// A Trac client for one configured tracker.
#[derive(Debug, Clone)]
pub struct Trac {
    http: reqwest::Client,
    /// Where people's links point; ticket URLs are built from it.
    web: String,
    /// Where requests go: `api_url` when set, else `url`.
    api: String,
    mode: TracMode,
    /// User and token; both are needed for HTTP basic auth.
    credentials: Option<(Secret, Secret)>,
}

impl Trac {
    pub fn new(
        http: reqwest::Client,
        config: &TrackerConfig,
        user: Option<Secret>,
        token: Option<Secret>,
    ) -> Self {
        let (web, api) = crate::wire::bases(config, None);
        Self {
            http,
            web,
            api,
            mode: config.trac_mode,
            credentials: user.zip(token),
        }
    }

    fn authed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credentials {
            Some((user, token)) => req.basic_auth(user.expose(), Some(token.expose())),
            None => req,
        }
    }

    fn blank_ticket(&self, id: u32) -> Ticket {
        Ticket {
            display_id: format!("#{id}"),
            url: format!("{}/ticket/{id}", self.web),
            ..Ticket::default()
        }
    }

    async fn fetch_rpc(&self, id: u32, wanted: Option<u32>) -> Result<TicketView, TrackerError> {
        let get = self.call("ticket.get", id);
        // Both calls go out together: an unfurl has a time budget.
        let (ticket, log) = match wanted {
            Some(_) => {
                let (ticket, log) = tokio::join!(get, self.call("ticket.changeLog", id));
                (ticket?, Some(log?))
            }
            None => (get.await?, None),
        };
        let ticket = self.ticket_from_rpc(id, &ticket)?;
        let comment = match (wanted, log) {
            (Some(n), Some(log)) => comment_from_log(&log, n)?,
            _ => None,
        };
        Ok(TicketView { ticket, comment })
    }

    /// One RPC call with the ticket id as its only parameter.
    async fn call(&self, method: &str, id: u32) -> Result<Value, TrackerError> {
        self.call_with(method, Param::Int(id)).await
    }

    /// One RPC call with one parameter.
    async fn call_with(&self, method: &str, param: Param<'_>) -> Result<Value, TrackerError> {
        let id = param;
        let path = if self.credentials.is_some() {
            "login/rpc"
        } else {
            "rpc"
        };
        let url = format!("{}/{path}", self.api);
        let json = self.mode == TracMode::Jsonrpc;
        let req = self.authed(self.http.post(&url));
        let req = if json {
            let param = match id {
                Param::Int(n) => serde_json::json!(n),
                Param::Str(s) => serde_json::json!(s),
            };
            req.json(&serde_json::json!({ "method": method, "params": [param], "id": 1 }))
        } else {
            req.header(CONTENT_TYPE, "text/xml")
                .body(xml_call(method, id))
        };
        let resp = req.send().await.map_err(|e| transport(&e))?;
        let status = resp.status().as_u16();
        let body = resp.text().await.map_err(|e| transport(&e))?;
        let parsed = if json {
            parse_json_response(&body)
        } else {
            parse_xml_response(&body)
        };
        if let Some(error) = status_error(status) {
            return Err(match (error, parsed) {
                (TrackerError::Unauthorized(s), _) => TrackerError::Unauthorized(s),
                // The plugin may send a fault with an error status; the fault says more.
                (_, Err(RpcError::Fault(code, message))) => fault_error(code, message),
                // A 404 here is the endpoint, not the ticket: most likely no plugin.
                (TrackerError::NotFound, _) => TrackerError::Protocol(format!(
                    "no RPC endpoint at {url} (HTTP 404); install the XML-RPC plugin or set trac_mode = \"export\""
                )),
                (error, _) => error,
            });
        }
        parsed.map_err(|e| match e {
            RpcError::Fault(code, message) => fault_error(code, message),
            RpcError::Unreadable(why) => TrackerError::Protocol(why),
        })
    }

    fn ticket_from_rpc(&self, id: u32, answer: &Value) -> Result<Ticket, TrackerError> {
        // `ticket.get` answers [id, created, changed, {attributes}].
        let parts = answer.as_array().unwrap_or_default();
        let attrs = parts
            .get(3)
            .filter(|a| matches!(a, Value::Struct(_)))
            .ok_or_else(|| {
                TrackerError::Protocol("ticket.get answered without attributes".into())
            })?;
        let field = |name: &str| non_empty(attrs.member(name).and_then(Value::as_str));
        Ok(Ticket {
            summary: field("summary").unwrap_or_default(),
            status: field("status"),
            kind: field("type"),
            priority: field("priority"),
            owner: field("owner"),
            reporter: field("reporter"),
            milestone: field("milestone"),
            updated_at: attrs
                .member("changetime")
                .and_then(Value::as_time)
                .or_else(|| parts.get(2).and_then(Value::as_time)),
            description: wiki_to_text(
                attrs
                    .member("description")
                    .and_then(Value::as_str)
                    .unwrap_or(""),
            ),
            ..self.blank_ticket(id)
        })
    }

    async fn fetch_export(&self, id: u32, wanted: Option<u32>) -> Result<TicketView, TrackerError> {
        let csv = self.get_text(format!("{}/ticket/{id}?format=csv", self.api));
        let (csv, rss) = match wanted {
            Some(_) => {
                let rss = self.get_text(format!("{}/ticket/{id}?format=rss", self.api));
                let (csv, rss) = tokio::join!(csv, rss);
                (csv?, Some(rss?))
            }
            None => (csv.await?, None),
        };
        let mut ticket = self.ticket_from_csv(id, &csv)?;
        let mut comment = None;
        if let (Some(n), Some(rss)) = (wanted, rss) {
            let comments = rss_comments(&rss)?;
            // The CSV has no change time; the newest change in the feed is close.
            ticket.updated_at = comments.iter().filter_map(|c| c.at).max();
            comment = comments.into_iter().rfind(|c| c.number == n);
        }
        Ok(TicketView { ticket, comment })
    }

    async fn get_text(&self, url: String) -> Result<String, TrackerError> {
        // Credentials help a Trac behind HTTP basic auth; stock Trac ignores them here.
        let resp = self
            .authed(self.http.get(&url))
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if let Some(error) = status_error(resp.status().as_u16()) {
            return Err(error);
        }
        resp.text().await.map_err(|e| transport(&e))
    }

    fn ticket_from_csv(&self, id: u32, text: &str) -> Result<Ticket, TrackerError> {
        let rows = parse_csv(text.trim_start_matches('\u{feff}'));
        let [header, row, ..] = rows.as_slice() else {
            return Err(TrackerError::Protocol(
                "the CSV export has no ticket row".into(),
            ));
        };
        if !header.iter().any(|h| h == "summary") {
            return Err(TrackerError::Protocol(
                "the CSV export has no summary column".into(),
            ));
        }
        let field = |name: &str| {
            let i = header.iter().position(|h| h == name)?;
            non_empty(row.get(i).map(String::as_str))
        };
        Ok(Ticket {
            summary: field("summary").unwrap_or_default(),
            status: field("status"),
            kind: field("type"),
            priority: field("priority"),
            owner: field("owner"),
            reporter: field("reporter"),
            milestone: field("milestone"),
            updated_at: None,
            description: wiki_to_text(&field("description").unwrap_or_default()),
            ..self.blank_ticket(id)
        })
    }
}

#[async_trait]
impl Tracker for Trac {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        // Trac ids are numbers; anything else cannot name a ticket.
        let id: u32 = link.key.parse().map_err(|_| TrackerError::NotFound)?;
        match self.mode {
            TracMode::Jsonrpc | TracMode::Xmlrpc => self.fetch_rpc(id, link.comment).await,
            TracMode::Export => self.fetch_export(id, link.comment).await,
        }
    }
}

/// The query a project lists when it sets none: every ticket not closed.
pub const DEFAULT_QUERY: &str = "status=!closed";

/// Tickets per listed page.
const PAGE_SIZE: usize = 100;

/// The export columns a listing asks for, in this order; the header's
/// labels are translated, so the columns are read by position.
const LIST_COLUMNS: [&str; 8] = [
    "id",
    "summary",
    "status",
    "owner",
    "reporter",
    "milestone",
    "keywords",
    "changetime",
];

impl Trac {
    /// The query string for one page: the project's filters (re-encoded, so
    /// nothing in the config can add raw syntax), then paging and order.
    fn page_query(query: &str, page: u32, page_size: usize) -> String {
        let query = if query.trim().is_empty() {
            DEFAULT_QUERY
        } else {
            query
        };
        let mut out = url::form_urlencoded::Serializer::new(String::new());
        for (k, v) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            if !matches!(k.as_ref(), "max" | "page" | "order" | "col" | "format") {
                out.append_pair(&k, &v);
            }
        }
        out.append_pair("max", &page_size.to_string())
            .append_pair("page", &page.to_string())
            .append_pair("order", "id");
        out.finish()
    }

    async fn list_export(
        &self,
        query: &str,
        page: u32,
    ) -> Result<Option<Vec<ListedTicket>>, TrackerError> {
        let mut q = Self::page_query(query, page, PAGE_SIZE);
        q.push_str("&format=csv");
        for col in LIST_COLUMNS {
            q.push_str("&col=");
            q.push_str(col);
        }
        let url = format!("{}/query?{q}", self.api);
        let request = self
            .authed(self.http.get(&url))
            // Dates in the export follow the request's locale; ask for one.
            .header(reqwest::header::ACCEPT_LANGUAGE, "en-US");
        let Some(text) = crate::wire::page_body(request).await? else {
            return Ok(None);
        };
        self.listed_from_csv(&text).map(Some)
    }

    fn listed_from_csv(&self, text: &str) -> Result<Vec<ListedTicket>, TrackerError> {
        let rows = parse_csv(text.trim_start_matches('\u{feff}'));
        let Some((header, rows)) = rows.split_first() else {
            // Trac answers an empty body past the last page.
            return Ok(Vec::new());
        };
        if header.len() < LIST_COLUMNS.len() {
            return Err(TrackerError::Protocol(format!(
                "the query export has {} columns, not {}",
                header.len(),
                LIST_COLUMNS.len()
            )));
        }
        rows.iter()
            .filter(|r| !(r.len() == 1 && r[0].trim().is_empty()))
            .map(|r| {
                let at = |i: usize| non_empty(r.get(i).map(String::as_str));
                let id: u32 = at(0).and_then(|s| s.parse().ok()).ok_or_else(|| {
                    TrackerError::Protocol("a query export row has no ticket id".into())
                })?;
                Ok(ListedTicket {
                    summary: at(1).unwrap_or_default(),
                    status: at(2).unwrap_or_default(),
                    closed: at(2).as_deref() == Some("closed"),
                    assignee: at(3),
                    reporter: at(4),
                    milestone: at(5),
                    labels: at(6).as_deref().map(split_labels).unwrap_or_default(),
                    updated_at: at(7).as_deref().and_then(parse_export_date),
                    ..self.blank_listed(id)
                })
            })
            .collect()
    }

    fn blank_listed(&self, id: u32) -> ListedTicket {
        ListedTicket {
            key: id.to_string(),
            display_id: format!("#{id}"),
            url: format!("{}/ticket/{id}", self.web),
            ..ListedTicket::default()
        }
    }

    async fn list_rpc(
        &self,
        query: &str,
        page: u32,
    ) -> Result<Option<Vec<ListedTicket>>, TrackerError> {
        let q = Self::page_query(query, page, RPC_PAGE_SIZE);
        let ids = self.call_with("ticket.query", Param::Str(&q)).await?;
        let ids: Vec<u32> = ids
            .as_array()
            .ok_or_else(|| TrackerError::Protocol("ticket.query did not answer a list".into()))?
            .iter()
            .filter_map(|v| v.as_int().and_then(|n| u32::try_from(n).ok()))
            .collect();
        // Each ticket is one more call; a page is small, so they go together.
        let gets = ids.iter().map(|id| self.call("ticket.get", *id));
        let answers = futures_util::future::join_all(gets).await;
        let mut out = Vec::with_capacity(ids.len());
        for (id, answer) in ids.iter().zip(answers) {
            let answer = match answer {
                Ok(a) => a,
                // Deleted between the query and the read: nothing to list.
                Err(TrackerError::NotFound) => continue,
                Err(e) => return Err(e),
            };
            let t = self.ticket_from_rpc(*id, &answer)?;
            let attrs = answer.as_array().and_then(|p| p.get(3));
            let keywords = attrs
                .and_then(|a| a.member("keywords"))
                .and_then(Value::as_str)
                .unwrap_or("");
            let status = t.status.clone().unwrap_or_default();
            out.push(ListedTicket {
                summary: t.summary,
                closed: status == "closed",
                status,
                assignee: t.owner,
                reporter: t.reporter,
                milestone: t.milestone,
                labels: split_labels(keywords),
                updated_at: t.updated_at,
                ..self.blank_listed(*id)
            });
        }
        Ok(Some(out))
    }
}

/// Tickets per page over RPC, where each costs a `ticket.get`.
const RPC_PAGE_SIZE: usize = 20;

#[async_trait]
impl TicketLister for Trac {
    async fn list_page(
        &self,
        _project: &str,
        query: &str,
        page: u32,
    ) -> Result<Option<Vec<ListedTicket>>, TrackerError> {
        match self.mode {
            TracMode::Jsonrpc | TracMode::Xmlrpc => self.list_rpc(query, page).await,
            TracMode::Export => self.list_export(query, page).await,
        }
    }

    fn page_size(&self) -> usize {
        match self.mode {
            TracMode::Jsonrpc | TracMode::Xmlrpc => RPC_PAGE_SIZE,
            TracMode::Export => PAGE_SIZE,
        }
    }
}

fn non_empty(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::{
        basic_auth, body_partial_json, body_string_contains, header, method, path, query_param,
    };
    use wiremock::{Mock, MockServer, Request, ResponseTemplate};

    use super::*;
    use crate::Comment;

    const GET_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.get-1.json");
    const LOG_JSON: &str =
        include_str!("../../tests/fixtures/trac/jsonrpc-ticket.changeLog-1.json");
    const MISSING_JSON: &str =
        include_str!("../../tests/fixtures/trac/jsonrpc-ticket.get-999.json");
    const GET_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.get-1.xml");
    const LOG_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.changeLog-1.xml");
    const MISSING_XML: &str =
        include_str!("../../tests/fixtures/trac/xmlrpc-ticket.get-999-missing.xml");
    const EXPORT_CSV: &str = include_str!("../../tests/fixtures/trac/export-ticket-1.csv");
    const EXPORT_RSS: &str = include_str!("../../tests/fixtures/trac/export-ticket-1.rss.xml");

    /// 2026-09-01 at the given UTC time, as epoch seconds.
    fn at(hour: i64, minute: i64) -> i64 {
        1_788_220_800 + hour * 3600 + minute * 60
    }

    fn config(url: &str, api_url: Option<String>, mode: TracMode) -> TrackerConfig {
        TrackerConfig {
            name: "trac".into(),
            kind: TrackerKind::Trac,
            url: url.into(),
            api_url,
            trac_mode: mode,
            org_id: None,
        }
    }

    /// A client whose links point at the public host while requests go to
    /// the fake, as `api_url` allows.
    fn trac(server: &MockServer, mode: TracMode, credentials: bool) -> Trac {
        let (user, token) = if credentials {
            (Some(Secret::new("bot")), Some(Secret::new("s3cret")))
        } else {
            (None, None)
        };
        let config = config(
            "https://trac.example.com/acme/",
            Some(format!("{}/acme/", server.uri())),
            mode,
        );
        Trac::new(
            switchboard_core::slack::api::http_client(),
            &config,
            user,
            token,
        )
    }

    fn link(key: &str, comment: Option<u32>) -> TicketRef {
        TicketRef {
            tracker: "trac".into(),
            kind: TrackerKind::Trac,
            key: key.into(),
            project: String::new(),
            comment,
            url: format!("https://trac.example.com/acme/ticket/{key}"),
        }
    }

    fn expected_ticket(updated_at: Option<i64>) -> Ticket {
        Ticket {
            display_id: "#1".into(),
            url: "https://trac.example.com/acme/ticket/1".into(),
            summary:
                "Checkout page times out for EU customers \u{2014} \u{201c}Zahlung\u{201d} step"
                    .into(),
            status: Some("accepted".into()),
            kind: Some("defect".into()),
            priority: Some("blocker".into()),
            owner: Some("alice".into()),
            reporter: Some("bob".into()),
            milestone: Some("milestone1".into()),
            updated_at,
            description: "When paying with SEPA the page hangs.\n\nTimeoutError: 30s\nSee also #2."
                .into(),
        }
    }

    fn comment(number: u32, author: &str, at: i64, text: &str) -> Option<Comment> {
        Some(Comment {
            number,
            author: author.into(),
            at: Some(at),
            text: text.into(),
        })
    }

    fn no_auth(req: &Request) -> bool {
        !req.headers.contains_key("authorization")
    }

    /// Answers one JSON-RPC method on `/acme/rpc` (no credentials).
    async fn json_rpc(server: &MockServer, rpc: &str, id: u32, body: &str) {
        Mock::given(method("POST"))
            .and(path("/acme/rpc"))
            .and(header("content-type", "application/json"))
            .and(body_partial_json(
                serde_json::json!({ "method": rpc, "params": [id] }),
            ))
            .and(no_auth)
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "application/json"))
            .mount(server)
            .await;
    }

    /// Answers one XML-RPC method on `/acme/login/rpc` (basic auth).
    async fn xml_rpc(server: &MockServer, rpc: &str, id: u32, body: &str) {
        Mock::given(method("POST"))
            .and(path("/acme/login/rpc"))
            .and(header("content-type", "text/xml"))
            .and(basic_auth("bot", "s3cret"))
            .and(body_string_contains(format!(
                "<methodName>{rpc}</methodName>"
            )))
            .and(body_string_contains(format!("<int>{id}</int>")))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/xml"))
            .mount(server)
            .await;
    }

    async fn export(server: &MockServer, format: &str, body: &str, expect: u64) {
        Mock::given(method("GET"))
            .and(path("/acme/ticket/1"))
            .and(query_param("format", format))
            .respond_with(ResponseTemplate::new(200).set_body_raw(body, "text/plain;charset=utf-8"))
            .expect(expect)
            .mount(server)
            .await;
    }

    /// The comments of ticket 1 as both RPC encodings report them.
    fn rpc_comments() -> Vec<(u32, Option<Comment>)> {
        vec![
            (
                1,
                comment(1, "carol", at(9, 40), "I can reproduce this on staging."),
            ),
            (
                2,
                comment(
                    2,
                    "dave",
                    at(9, 50),
                    "Raising priority: 14 tickets from support today (edited).",
                ),
            ),
            (
                3,
                comment(
                    3,
                    "alice",
                    at(10, 0),
                    "Replying to carol:\n> I can reproduce this on staging.\nConfirmed, it is the SEPA mandate call.",
                ),
            ),
            (4, comment(4, "alice", at(10, 10), "")),
            (9, None),
        ]
    }

    async fn check_comments(
        client: &Trac,
        table: Vec<(u32, Option<Comment>)>,
        updated_at: Option<i64>,
    ) {
        for (n, want) in table {
            let view = client
                .fetch(&link("1", Some(n)))
                .await
                .expect("ticket with comment");
            assert_eq!(view.comment, want, "comment {n}");
            assert_eq!(
                view.ticket,
                expected_ticket(updated_at),
                "ticket with comment {n}"
            );
        }
    }

    #[tokio::test]
    async fn jsonrpc_reads_a_ticket() {
        let server = MockServer::start().await;
        json_rpc(&server, "ticket.get", 1, GET_JSON).await;
        let view = trac(&server, TracMode::Jsonrpc, false)
            .fetch(&link("1", None))
            .await
            .expect("ticket");
        assert_eq!(
            view,
            TicketView {
                ticket: expected_ticket(Some(at(10, 15))),
                comment: None
            }
        );
    }

    #[tokio::test]
    async fn xmlrpc_reads_a_ticket_with_credentials() {
        let server = MockServer::start().await;
        xml_rpc(&server, "ticket.get", 1, GET_XML).await;
        let view = trac(&server, TracMode::Xmlrpc, true)
            .fetch(&link("1", None))
            .await
            .expect("ticket");
        assert_eq!(
            view,
            TicketView {
                ticket: expected_ticket(Some(at(10, 15))),
                comment: None
            }
        );
    }

    #[tokio::test]
    async fn jsonrpc_comments_follow_the_change_log() {
        let server = MockServer::start().await;
        json_rpc(&server, "ticket.get", 1, GET_JSON).await;
        json_rpc(&server, "ticket.changeLog", 1, LOG_JSON).await;
        check_comments(
            &trac(&server, TracMode::Jsonrpc, false),
            rpc_comments(),
            Some(at(10, 15)),
        )
        .await;
    }

    #[tokio::test]
    async fn xmlrpc_comments_follow_the_change_log() {
        let server = MockServer::start().await;
        xml_rpc(&server, "ticket.get", 1, GET_XML).await;
        xml_rpc(&server, "ticket.changeLog", 1, LOG_XML).await;
        check_comments(
            &trac(&server, TracMode::Xmlrpc, true),
            rpc_comments(),
            Some(at(10, 15)),
        )
        .await;
    }

    #[tokio::test]
    async fn missing_tickets_are_not_found() {
        let server = MockServer::start().await;
        json_rpc(&server, "ticket.get", 999, MISSING_JSON).await;
        xml_rpc(&server, "ticket.get", 999, MISSING_XML).await;
        let json = trac(&server, TracMode::Jsonrpc, false)
            .fetch(&link("999", None))
            .await;
        assert!(matches!(json, Err(TrackerError::NotFound)), "{json:?}");
        let xml = trac(&server, TracMode::Xmlrpc, true)
            .fetch(&link("999", None))
            .await;
        assert!(matches!(xml, Err(TrackerError::NotFound)), "{xml:?}");
        let not_a_number = trac(&server, TracMode::Jsonrpc, false)
            .fetch(&link("abc", None))
            .await;
        assert!(
            matches!(not_a_number, Err(TrackerError::NotFound)),
            "{not_a_number:?}"
        );
    }

    #[tokio::test]
    async fn http_errors_and_other_faults_are_told_apart() {
        type Expected = fn(&TrackerError) -> bool;
        let cases: Vec<(ResponseTemplate, Expected)> = vec![
            (ResponseTemplate::new(401), |e| {
                matches!(e, TrackerError::Unauthorized(401))
            }),
            (
                ResponseTemplate::new(500),
                |e| matches!(e, TrackerError::Unavailable(m) if m == "HTTP 500"),
            ),
            // No plugin: the endpoint is missing, which says nothing about the ticket.
            (
                ResponseTemplate::new(404),
                |e| matches!(e, TrackerError::Protocol(m) if m.contains("export")),
            ),
            (
                ResponseTemplate::new(200).set_body_raw(
                    r#"{"result": null, "error": {"code": 1, "message": "boom"}, "id": 1}"#,
                    "application/json",
                ),
                |e| matches!(e, TrackerError::Protocol(m) if m == "RPC fault 1"),
            ),
            (
                ResponseTemplate::new(200).set_body_string("<html>login</html>"),
                |e| matches!(e, TrackerError::Protocol(_)),
            ),
        ];
        for (response, expected) in cases {
            let server = MockServer::start().await;
            Mock::given(method("POST"))
                .respond_with(response)
                .mount(&server)
                .await;
            let got = trac(&server, TracMode::Jsonrpc, false)
                .fetch(&link("1", None))
                .await;
            assert!(got.as_ref().is_err_and(expected), "{got:?}");
        }
    }

    #[tokio::test]
    async fn xml_faults_and_errors_map_like_json_ones() {
        let server = MockServer::start().await;
        let fault = MISSING_XML.replace("<int>404</int>", "<int>403</int>");
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_raw(fault, "text/xml"))
            .mount(&server)
            .await;
        let got = trac(&server, TracMode::Xmlrpc, true)
            .fetch(&link("1", None))
            .await;
        assert!(
            matches!(got, Err(TrackerError::Unauthorized(403))),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn a_slow_trac_is_unavailable() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_raw(GET_JSON, "application/json")
                    .set_delay(Duration::from_secs(5)),
            )
            .mount(&server)
            .await;
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(200))
            .build()
            .expect("client");
        let config = config(&server.uri(), None, TracMode::Jsonrpc);
        let got = Trac::new(http, &config, None, None)
            .fetch(&link("1", None))
            .await;
        assert!(
            matches!(&got, Err(TrackerError::Unavailable(m)) if m == "timed out"),
            "{got:?}"
        );
    }

    #[tokio::test]
    async fn export_reads_csv_and_comments_from_rss() {
        let server = MockServer::start().await;
        export(&server, "csv", EXPORT_CSV, 5).await;
        export(&server, "rss", EXPORT_RSS, 5).await;
        let mut table = rpc_comments();
        // The RSS renders Trac's HTML, where the quote is its own paragraph.
        table[2].1 = comment(
            3,
            "alice",
            at(10, 0),
            "Replying to carol:\n\n> I can reproduce this on staging.\n\nConfirmed, it is the SEPA mandate call.",
        );
        check_comments(
            &trac(&server, TracMode::Export, false),
            table,
            Some(at(10, 10)),
        )
        .await;
    }

    #[tokio::test]
    async fn export_without_a_comment_reads_only_the_csv() {
        let server = MockServer::start().await;
        export(&server, "csv", EXPORT_CSV, 1).await;
        export(&server, "rss", EXPORT_RSS, 0).await;
        let view = trac(&server, TracMode::Export, false)
            .fetch(&link("1", None))
            .await
            .expect("ticket");
        assert_eq!(
            view,
            TicketView {
                ticket: expected_ticket(None),
                comment: None
            }
        );
    }

    #[tokio::test]
    async fn export_of_a_missing_ticket_is_not_found() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/acme/ticket/999"))
            .respond_with(ResponseTemplate::new(404))
            .mount(&server)
            .await;
        let got = trac(&server, TracMode::Export, false)
            .fetch(&link("999", Some(1)))
            .await;
        assert!(matches!(got, Err(TrackerError::NotFound)), "{got:?}");
    }

    /// Reads the throwaway stock Trac that `make test` starts
    /// (scripts/trac-fixture.py), through the plugin-free export.
    #[tokio::test]
    async fn export_mode_reads_a_real_trac() {
        let url = std::env::var("TRAC_URL").unwrap_or_else(|_| {
            panic!(
                "TRAC_URL is not set. Run `make test`, which starts a throwaway Trac, or start one by hand: \
                 `.venv/bin/python scripts/trac-fixture.py /tmp/trac-fixture 8124 &` (after `make setup`), \
                 then `TRAC_URL=http://127.0.0.1:8124 cargo test -p switchboard-trackers`"
            )
        });
        let client = Trac::new(
            switchboard_core::slack::api::http_client(),
            &config(&url, None, TracMode::Export),
            None,
            None,
        );
        let base = url.trim_end_matches('/');
        let expected = Ticket {
            url: format!("{base}/ticket/1"),
            ..expected_ticket(Some(at(10, 10)))
        };
        let edited = client
            .fetch(&link("1", Some(2)))
            .await
            .expect("ticket 1, comment 2");
        assert_eq!(edited.ticket, expected);
        assert_eq!(
            edited.comment,
            comment(
                2,
                "dave",
                at(9, 50),
                "Raising priority: 14 tickets from support today (edited)."
            )
        );
        let reply = client
            .fetch(&link("1", Some(3)))
            .await
            .expect("ticket 1, comment 3");
        let reply = reply.comment.expect("the reply is anchored as comment 3");
        assert_eq!(
            (reply.author.as_str(), reply.at),
            ("alice", Some(at(10, 0)))
        );
        assert!(
            reply
                .text
                .ends_with("Confirmed, it is the SEPA mandate call."),
            "{reply:?}"
        );
        let missing = client.fetch(&link("1", Some(9))).await.expect("ticket 1");
        assert_eq!(missing.comment, None);
        let gone = client.fetch(&link("999", None)).await;
        assert!(matches!(gone, Err(TrackerError::NotFound)), "{gone:?}");
    }
}

#[cfg(test)]
mod listing_tests {
    use switchboard_core::config::TrackerKind;
    use wiremock::matchers::{body_partial_json, body_string_contains, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    const QUERY_JSON: &str =
        include_str!("../../tests/fixtures/trac/jsonrpc-ticket.query-open.json");
    const QUERY_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.query-open.xml");
    const GET_JSON: &str = include_str!("../../tests/fixtures/trac/jsonrpc-ticket.get-1.json");
    const GET_XML: &str = include_str!("../../tests/fixtures/trac/xmlrpc-ticket.get-1.xml");
    const QUERY_CSV: &str = include_str!("../../tests/fixtures/trac/export-query-open.csv");

    /// 2026-09-01 at the given UTC time, as epoch seconds.
    fn at(hour: i64, minute: i64) -> i64 {
        1_788_220_800 + hour * 3600 + minute * 60
    }

    fn trac(url: &str, mode: TracMode) -> Trac {
        let config = TrackerConfig {
            name: "trac".into(),
            kind: TrackerKind::Trac,
            url: "https://trac.example.com/acme".into(),
            api_url: Some(url.into()),
            trac_mode: mode,
            org_id: None,
        };
        Trac::new(
            switchboard_core::slack::api::http_client(),
            &config,
            None,
            None,
        )
    }

    fn expected_1(updated_at: Option<i64>) -> ListedTicket {
        ListedTicket {
            key: "1".into(),
            display_id: "#1".into(),
            url: "https://trac.example.com/acme/ticket/1".into(),
            summary: "Checkout page times out for EU customers — “Zahlung” step".into(),
            status: "accepted".into(),
            closed: false,
            assignee: Some("alice".into()),
            reporter: Some("bob".into()),
            milestone: Some("milestone1".into()),
            labels: vec!["payments".into(), "sepa".into()],
            updated_at,
        }
    }

    #[tokio::test]
    async fn lists_over_json_rpc_with_one_get_per_ticket() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_partial_json(serde_json::json!({
                "method": "ticket.query",
                "params": ["status=%21closed&max=20&page=1&order=id"],
            })))
            .respond_with(ResponseTemplate::new(200).set_body_string(QUERY_JSON))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(body_partial_json(
                serde_json::json!({ "method": "ticket.get", "params": [1] }),
            ))
            .respond_with(ResponseTemplate::new(200).set_body_string(GET_JSON))
            .expect(1)
            .mount(&server)
            .await;
        let page = trac(&server.uri(), TracMode::Jsonrpc)
            .list_page("", "", 1)
            .await
            .expect("listed")
            .expect("page");
        assert_eq!(page, vec![expected_1(Some(at(10, 15)))]);
    }

    #[tokio::test]
    async fn lists_over_xml_rpc_with_the_query_escaped() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .and(body_string_contains("<methodName>ticket.query</methodName>"))
            .and(body_string_contains("<string>status=%21closed&amp;owner=alice&amp;max=20&amp;page=2&amp;order=id</string>"))
            .respond_with(ResponseTemplate::new(200).set_body_string(QUERY_XML))
            .expect(1)
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .and(body_string_contains("<methodName>ticket.get</methodName>"))
            .respond_with(ResponseTemplate::new(200).set_body_string(GET_XML))
            .mount(&server)
            .await;
        // The project's own paging keys are replaced by the scanner's.
        let page = trac(&server.uri(), TracMode::Xmlrpc)
            .list_page("", "status=!closed&owner=alice&max=5&page=9", 2)
            .await
            .expect("listed")
            .expect("page");
        assert_eq!(page, vec![expected_1(Some(at(10, 15)))]);
    }

    #[tokio::test]
    async fn reads_the_recorded_query_export_by_column_position() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/query"))
            .respond_with(ResponseTemplate::new(200).set_body_string(QUERY_CSV))
            .mount(&server)
            .await;
        // The recorded export has five columns; a listing needs all eight.
        let got = trac(&server.uri(), TracMode::Export)
            .list_page("", "", 1)
            .await;
        assert!(matches!(got, Err(TrackerError::Protocol(_))), "{got:?}");
    }

    /// Lists the throwaway stock Trac that `make test` starts.
    #[tokio::test]
    async fn export_listing_reads_a_real_trac() {
        let url = std::env::var("TRAC_URL").unwrap_or_else(|_| {
            panic!(
                "TRAC_URL is not set. Run `make test`, which starts a throwaway Trac, or start one by hand: \
                 `.venv/bin/python scripts/trac-fixture.py /tmp/trac-fixture 8124 &` (after `make setup`), \
                 then `TRAC_URL=http://127.0.0.1:8124 cargo test -p switchboard-trackers`"
            )
        });
        let client = trac(&url, TracMode::Export);
        let page = client
            .list_page("", "", 1)
            .await
            .expect("listed")
            .expect("page");
        assert_eq!(page.len(), 2, "{page:?}");
        assert_eq!(page[0], expected_1(Some(at(10, 15))));
        assert_eq!(
            (
                page[1].key.as_str(),
                page[1].status.as_str(),
                page[1].updated_at
            ),
            ("2", "new", Some(at(10, 20)))
        );
        // When every match fits on one page, Trac ignores `page` and repeats
        // it; the scanner stops at a page with nothing new.
        let again = client.list_page("", "", 2).await.expect("listed");
        assert!(again.is_none_or(|p| p.is_empty() || p == page));
        let filtered = client
            .list_page("", "status=new", 1)
            .await
            .expect("listed")
            .expect("page");
        assert_eq!(filtered.len(), 1);
        assert_eq!(filtered[0].key, "2");
    }
}

#[cfg(test)]
mod prop_tests {
    use super::dates::{epoch, parse_datetime, parse_rfc2822};
    use super::markup::html_to_text;
    use super::rpc::comment_number;
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::config::{TrackerConfig, TrackerKind};
    use switchboard_core::testing::prop;

    const WORDS: &[&str] = &[
        "methodResponse",
        "params",
        "param",
        "value",
        "fault",
        "struct",
        "member",
        "name",
        "array",
        "data",
        "string",
        "int",
        "i4",
        "i8",
        "boolean",
        "double",
        "base64",
        "nil",
        "dateTime.iso8601",
        "faultCode",
        "faultString",
        "result",
        "error",
        "code",
        "message",
        "__jsonclass__",
        "datetime",
        "summary",
        "status",
        "description",
        "changetime",
        "comment",
        "1.3",
        "2",
        "rss",
        "channel",
        "item",
        "link",
        "creator",
        "pubDate",
        "https://trac.example.com/ticket/1#comment:2",
        "20260901T09:40:00",
        "<p>hi</p>",
        "''bold''",
        "{{{",
        "}}}",
        "[[Link|label]]",
        "&amp;",
        "&#x41;",
        "&#99999999;",
    ];

    fn trac() -> &'static Trac {
        static TRAC: std::sync::LazyLock<Trac> = std::sync::LazyLock::new(|| {
            let config = TrackerConfig {
                name: "trac".into(),
                kind: TrackerKind::Trac,
                url: "https://trac.example.com".into(),
                api_url: None,
                trac_mode: TracMode::Export,
                org_id: None,
            };
            Trac::new(reqwest::Client::new(), &config, None, None)
        });
        &TRAC
    }

    /// Text of the characters CSV and markup care about, and others.
    fn text() -> impl Strategy<Value = String> {
        let special = proptest::sample::select(vec![
            ',', '"', '\r', '\n', '<', '>', '&', ';', '#', '!', '[', ']', '{', '}', '\'', '|', ' ',
            'a', '1', 'é', '\u{feff}',
        ]);
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..40)
                .prop_map(String::from_iter),
            prop::word(WORDS),
        ]
    }

    /// Writes rows the way RFC 4180 asks: a field with a comma, quote or
    /// line break is quoted, its quotes doubled.
    fn write_csv(rows: &[Vec<String>]) -> String {
        rows.iter()
            .map(|row| {
                row.iter()
                    .map(|f| {
                        if f.contains([',', '"', '\r', '\n']) || f.is_empty() {
                            format!("\"{}\"", f.replace('"', "\"\""))
                        } else {
                            f.clone()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .map(|line| line + "\r\n")
            .collect()
    }

    #[test]
    fn deep_quotes_show_four_marks_at_most() {
        let html = format!("{}a<br/>b", "<blockquote>".repeat(50));
        assert_eq!(html_to_text(&html), "> > > > a\n> > > > b");
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn dates_parse_or_are_none(s in prop_oneof![any::<String>(), prop::dates()]) {
            let _ = parse_datetime(&s);
            let _ = parse_rfc2822(&s);
            let _ = parse_export_date(&s);
        }

        #[test]
        fn export_dates_read_their_fields(
            (y, mo, d) in (1i64..=9999, 1u32..=12, 1u32..=28),
            (h, mi, s) in (0u32..24, 0u32..60, 0u32..60),
        ) {
            let want = epoch(y, mo, d, h, mi, s);
            prop_assert!(want.is_some());
            let iso = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
            prop_assert_eq!(parse_datetime(&iso), want);
            prop_assert_eq!(parse_export_date(&format!("{iso}Z")), want);
            // The en-US export writes two-digit years, which are this century's.
            if y >= 100 {
                prop_assert_eq!(parse_export_date(&format!("{mo}/{d}/{y} {h}:{mi:02}:{s:02}")), want);
            }
            if (2000..2100).contains(&y) {
                let (h12, ampm) = match h { 0 => (12, "AM"), 1..12 => (h, "AM"), 12 => (12, "PM"), _ => (h - 12, "PM") };
                let us = format!("{mo:02}/{d:02}/{:02} {h12:02}:{mi:02}:{s:02} {ampm}", y % 100);
                prop_assert_eq!(parse_export_date(&us), want);
            }
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][mo as usize - 1];
            prop_assert_eq!(parse_rfc2822(&format!("Tue, {d} {month} {y} {h:02}:{mi:02}:{s:02} GMT")), want);
        }

        #[test]
        fn json_rpc_answers_never_panic(body in prop_oneof![
            any::<String>(),
            prop::json(WORDS).prop_map(|v| v.to_string()),
        ]) {
            if let Ok(value) = parse_json_response(&body) {
                let _ = trac().ticket_from_rpc(1, &value);
                let _ = comment_from_log(&value, 2);
            }
        }

        #[test]
        fn xml_rpc_answers_never_panic(body in prop_oneof![any::<String>(), prop::xml(WORDS)]) {
            if let Ok(value) = parse_xml_response(&body) {
                let _ = trac().ticket_from_rpc(1, &value);
                let _ = comment_from_log(&value, 2);
            }
        }

        #[test]
        fn csv_exports_never_panic(body in text()) {
            let _ = trac().ticket_from_csv(1, &body);
            if let Ok(listed) = trac().listed_from_csv(&body) {
                for t in listed {
                    prop_assert!(crate::wire::path_safe(&t.key));
                }
            }
        }

        #[test]
        fn csv_round_trips(rows in proptest::collection::vec(
            proptest::collection::vec(text(), 1..5), 0..5,
        )) {
            // A byte-order mark is dropped only at the start, by the callers.
            let rows: Vec<Vec<String>> = rows
                .into_iter()
                .map(|r| r.into_iter().map(|f| f.replace('\u{feff}', "")).collect())
                .collect();
            prop_assert_eq!(parse_csv(&write_csv(&rows)), rows);
        }

        #[test]
        fn html_text_grows_at_most_linearly(
            tokens in proptest::collection::vec(proptest::sample::select(vec![
                "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<p>", "<br/>", "<li>",
                "<ul>", "x", " ", "\n", "&amp;", "&#x1F389;", "<", ">",
            ]), 0..400),
            depth in 0usize..200,
            lines in 0usize..200,
        ) {
            // Deep quotes with many lines are the case that could multiply.
            let html = format!("{}{}{}", "<blockquote>".repeat(depth), "x<br/>".repeat(lines), tokens.concat());
            let text = html_to_text(&html);
            prop_assert!(text.len() <= 4 * html.len() + 16, "{} bytes from {}", text.len(), html.len());
        }

        #[test]
        fn rss_and_markup_never_panic(body in prop_oneof![text(), prop::xml(WORDS)]) {
            let _ = rss_comments(&body);
            let _ = html_to_text(&body);
            let _ = wiki_to_text(&body);
            let _ = comment_number(&body);
        }
    }
}
