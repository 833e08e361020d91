//! The RPC codec: JSON-RPC and XML-RPC answers read into one value tree,
//! XML-RPC calls written, and comments read from a change log.

use super::dates::parse_datetime;
use super::markup::wiki_to_text;
use crate::{Comment, TrackerError};

/// What either RPC encoding carries, as far as tickets need it.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    Nil,
    Int(i64),
    Str(String),
    /// Epoch seconds.
    Time(i64),
    Array(Vec<Value>),
    Struct(Vec<(String, Value)>),
}

impl Value {
    pub(super) fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(super) fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(n) => Some(*n),
            _ => None,
        }
    }

    pub(super) fn as_time(&self) -> Option<i64> {
        match self {
            Value::Time(t) => Some(*t),
            _ => None,
        }
    }

    pub(super) fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub(super) fn member(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Struct(members) => members.iter().find(|(k, _)| k == name).map(|(_, v)| v),
            _ => None,
        }
    }
}

#[derive(Debug, PartialEq)]
pub(super) enum RpcError {
    Fault(i64, String),
    Unreadable(String),
}

/// A fault's text can carry Trac's internals, so it is logged, not returned.
pub(super) fn fault_error(code: i64, message: String) -> TrackerError {
    match code {
        404 => TrackerError::NotFound,
        403 => TrackerError::Unauthorized(403),
        _ => {
            tracing::warn!(code, message, "Trac answered an RPC fault");
            TrackerError::Protocol(format!("RPC fault {code}"))
        }
    }
}

pub(super) fn parse_json_response(body: &str) -> Result<Value, RpcError> {
    let answer: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| RpcError::Unreadable(format!("JSON-RPC answer: {e}")))?;
    if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
        let code = error
            .get("code")
            .and_then(serde_json::Value::as_i64)
            .unwrap_or(0);
        let message = error
            .get("message")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        return Err(RpcError::Fault(code, message.to_owned()));
    }
    answer
        .get("result")
        .map(from_json)
        .ok_or_else(|| RpcError::Unreadable("JSON-RPC answer without a result".into()))
}

fn from_json(v: &serde_json::Value) -> Value {
    use serde_json::Value as J;
    match v {
        J::Null => Value::Nil,
        J::Bool(b) => Value::Int(i64::from(*b)),
        J::Number(n) => n
            .as_i64()
            .map_or_else(|| Value::Str(n.to_string()), Value::Int),
        J::String(s) => Value::Str(s.clone()),
        J::Array(items) => Value::Array(items.iter().map(from_json).collect()),
        J::Object(members) => {
            // The plugin wraps datetimes as {"__jsonclass__": ["datetime", "…"]}.
            if let Some(class) = members.get("__jsonclass__").and_then(J::as_array) {
                let payload = class.get(1).and_then(J::as_str).unwrap_or("");
                if class.first().and_then(J::as_str) == Some("datetime")
                    && let Some(t) = parse_datetime(payload)
                {
                    return Value::Time(t);
                }
                return Value::Str(payload.to_owned());
            }
            Value::Struct(
                members
                    .iter()
                    .map(|(k, v)| (k.clone(), from_json(v)))
                    .collect(),
            )
        }
    }
}

pub(super) fn parse_xml_response(body: &str) -> Result<Value, RpcError> {
    let unreadable = |why: &str| RpcError::Unreadable(format!("XML-RPC answer: {why}"));
    let doc = roxmltree::Document::parse(body).map_err(|e| unreadable(&e.to_string()))?;
    let root = doc.root_element();
    if root.tag_name().name() != "methodResponse" {
        return Err(unreadable("not a methodResponse"));
    }
    if let Some(fault) = child(root, "fault") {
        let value = child(fault, "value").ok_or_else(|| unreadable("empty fault"))?;
        let value = xml_value(value)?;
        let code = value
            .member("faultCode")
            .and_then(Value::as_int)
            .unwrap_or(0);
        let message = value
            .member("faultString")
            .and_then(Value::as_str)
            .unwrap_or("");
        return Err(RpcError::Fault(code, message.to_owned()));
    }
    let value = child(root, "params")
        .and_then(|p| child(p, "param"))
        .and_then(|p| child(p, "value"))
        .ok_or_else(|| unreadable("no value"))?;
    xml_value(value)
}

pub(super) fn child<'a, 'i>(
    node: roxmltree::Node<'a, 'i>,
    name: &str,
) -> Option<roxmltree::Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

pub(super) fn text(node: roxmltree::Node<'_, '_>) -> String {
    node.descendants()
        .filter_map(|n| if n.is_text() { n.text() } else { None })
        .collect()
}

/// One `<value>`: a typed child, or bare text, which XML-RPC calls a string.
fn xml_value(node: roxmltree::Node<'_, '_>) -> Result<Value, RpcError> {
    let Some(typed) = node.children().find(roxmltree::Node::is_element) else {
        return Ok(Value::Str(text(node)));
    };
    let bad = |what: &str| RpcError::Unreadable(format!("XML-RPC answer: bad <{what}>"));
    let kind = typed.tag_name().name();
    Ok(match kind {
        "string" | "double" | "base64" => Value::Str(text(typed)),
        "int" | "i4" | "i8" | "boolean" => {
            Value::Int(text(typed).trim().parse().map_err(|_| bad(kind))?)
        }
        "dateTime.iso8601" => Value::Time(parse_datetime(&text(typed)).ok_or_else(|| bad(kind))?),
        "nil" => Value::Nil,
        "array" => {
            let values = child(typed, "data").into_iter().flat_map(|d| d.children());
            Value::Array(
                values
                    .filter(|v| v.is_element() && v.tag_name().name() == "value")
                    .map(xml_value)
                    .collect::<Result<_, _>>()?,
            )
        }
        "struct" => {
            let mut members = Vec::new();
            for member in typed
                .children()
                .filter(|m| m.is_element() && m.tag_name().name() == "member")
            {
                let name = child(member, "name")
                    .map(text)
                    .ok_or_else(|| bad("member"))?;
                let value = child(member, "value").ok_or_else(|| bad("member"))?;
                members.push((name, xml_value(value)?));
            }
            Value::Struct(members)
        }
        other => return Err(bad(other)),
    })
}

/// An RPC call's one parameter: a ticket id or a query string.
#[derive(Debug, Clone, Copy)]
pub(super) enum Param<'a> {
    Int(u32),
    Str(&'a str),
}

/// The body of an XML-RPC call with one parameter.
pub(super) fn xml_call(method: &str, param: Param<'_>) -> String {
    let value = match param {
        Param::Int(n) => format!("<int>{n}</int>"),
        Param::Str(s) => format!("<string>{}</string>", escape_xml(s)),
    };
    format!(
        "<?xml version=\"1.0\"?>\n<methodCall><methodName>{}</methodName>\
         <params><param><value>{value}</value></param></params></methodCall>",
        escape_xml(method)
    )
}

fn escape_xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The comment numbered `wanted` in a `ticket.changeLog` answer. Rows are
/// [time, author, field, oldvalue, newvalue, permanent]; a comment row holds
/// its number in oldvalue and its latest text in newvalue (`_commentN` rows
/// keep edit history and are skipped).
pub(super) fn comment_from_log(log: &Value, wanted: u32) -> Result<Option<Comment>, TrackerError> {
    let rows = log.as_array().ok_or_else(|| {
        TrackerError::Protocol("ticket.changeLog answered something else than a list".into())
    })?;
    Ok(rows
        .iter()
        .filter_map(|row| {
            let row = row.as_array()?;
            if row.get(2)?.as_str()? != "comment" {
                return None;
            }
            let number = comment_number(row.get(3)?.as_str()?)?;
            (number == wanted).then(|| Comment {
                number,
                author: row.get(1).and_then(Value::as_str).unwrap_or("").to_owned(),
                at: row.first().and_then(Value::as_time),
                text: wiki_to_text(row.get(4).and_then(Value::as_str).unwrap_or("")),
            })
        })
        .next_back())
}

/// `"3"` → 3; a reply is numbered `"1.3"` but anchored by its last segment.
pub(super) fn comment_number(s: &str) -> Option<u32> {
    s.rsplit('.').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests;
