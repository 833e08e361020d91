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
use switchboard_core::config::TracMode;
use switchboard_core::secrets::Secret;

use crate::listing::split_labels;
use crate::site::Site;
use crate::wire::non_empty;
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
    site: Site,
    /// User and token; both are needed for HTTP basic auth.
    credentials: Option<(Secret, Secret)>,
}

impl Trac {
    pub fn new(site: Site) -> Self {
        let credentials = site.user.clone().zip(site.token.clone());
        Self { site, credentials }
    }

    fn authed(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.credentials {
            Some((user, token)) => req.basic_auth(user.expose(), Some(token.expose())),
            None => req,
        }
    }

    /// A ticket from Trac's field names, however they were read (RPC
    /// attributes or an export row). The description is wiki text whose
    /// leading spaces mean something, so it is not trimmed.
    fn ticket_from_fields<'a>(
        &self,
        id: u32,
        field: impl Fn(&str) -> Option<&'a str>,
        updated_at: Option<i64>,
    ) -> Ticket {
        let text = |name: &str| non_empty(field(name));
        Ticket {
            display_id: format!("#{id}"),
            url: format!("{}/ticket/{id}", self.site.web_url),
            summary: text("summary").unwrap_or_default(),
            status: text("status"),
            kind: text("type"),
            priority: text("priority"),
            owner: text("owner"),
            reporter: text("reporter"),
            milestone: text("milestone"),
            updated_at,
            description: wiki_to_text(field("description").unwrap_or("")),
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
        let url = format!("{}/{path}", self.site.api_url);
        let json = self.site.config.trac_mode == TracMode::Jsonrpc;
        let req = self.authed(self.site.http.post(&url));
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
        let updated_at = attrs
            .member("changetime")
            .and_then(Value::as_time)
            .or_else(|| parts.get(2).and_then(Value::as_time));
        Ok(self.ticket_from_fields(
            id,
            |name| attrs.member(name).and_then(Value::as_str),
            updated_at,
        ))
    }

    async fn fetch_export(&self, id: u32, wanted: Option<u32>) -> Result<TicketView, TrackerError> {
        let csv = self.get_text(format!("{}/ticket/{id}?format=csv", self.site.api_url));
        let (csv, rss) = match wanted {
            Some(_) => {
                let rss = self.get_text(format!("{}/ticket/{id}?format=rss", self.site.api_url));
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
            .authed(self.site.http.get(&url))
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
            row.get(i).map(String::as_str)
        };
        Ok(self.ticket_from_fields(id, field, None))
    }
}

#[async_trait]
impl Tracker for Trac {
    async fn fetch(&self, link: &TicketRef) -> Result<TicketView, TrackerError> {
        // Trac ids are numbers; anything else cannot name a ticket.
        let id: u32 = link.key.parse().map_err(|_| TrackerError::NotFound)?;
        match self.site.config.trac_mode {
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
        let url = format!("{}/query?{q}", self.site.api_url);
        let request = self
            .authed(self.site.http.get(&url))
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
            url: format!("{}/ticket/{id}", self.site.web_url),
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
        match self.site.config.trac_mode {
            TracMode::Jsonrpc | TracMode::Xmlrpc => self.list_rpc(query, page).await,
            TracMode::Export => self.list_export(query, page).await,
        }
    }

    fn page_size(&self) -> usize {
        match self.site.config.trac_mode {
            TracMode::Jsonrpc | TracMode::Xmlrpc => RPC_PAGE_SIZE,
            TracMode::Export => PAGE_SIZE,
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod listing_tests;

#[cfg(test)]
mod prop_tests;
