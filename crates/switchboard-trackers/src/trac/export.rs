//! The stock exports: the CSV of a ticket or query, and a ticket's RSS feed.

use super::dates::parse_rfc2822;
use super::markup::html_to_text;
use super::rpc::{child, text};
use crate::{Comment, TrackerError};

/// RFC 4180 records: quoted fields may hold commas, doubled quotes and line
/// breaks; records end with CRLF or LF.
pub(super) fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Every change in a ticket's RSS feed that has a `#comment:N` link.
pub(super) fn rss_comments(xml: &str) -> Result<Vec<Comment>, TrackerError> {
    let doc = roxmltree::Document::parse(xml)
        .map_err(|e| TrackerError::Protocol(format!("the RSS export: {e}")))?;
    Ok(doc
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "item")
        .filter_map(|item| {
            let get = |name: &str| child(item, name).map(text).unwrap_or_default();
            let link = get("link");
            let number = link.trim().rsplit_once("#comment:")?.1.parse().ok()?;
            Some(Comment {
                number,
                author: get("creator").trim().to_owned(),
                at: parse_rfc2822(&get("pubDate")),
                text: html_to_text(&get("description")),
            })
        })
        .collect())
}

#[cfg(test)]
mod tests;
