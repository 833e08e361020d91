//! Link recognition: which configured tracker a URL belongs to, and which
//! ticket (and comment) it names. Hosts must match exactly, so a look-alike
//! host never does.

use switchboard_core::config::{TrackerConfig, TrackerKind};
use url::Url;

use crate::TicketRef;

/// The ticket a shared link points at, if any configured tracker owns it.
pub fn recognise(link: &str, trackers: &[TrackerConfig]) -> Option<TicketRef> {
    let url = Url::parse(link).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    trackers.iter().find_map(|t| {
        let base = Url::parse(&t.url).ok()?;
        if !url.host_str()?.eq_ignore_ascii_case(base.host_str()?)
            || url.port_or_known_default() != base.port_or_known_default()
        {
            return None;
        }
        let base_path = base.path().trim_end_matches('/');
        let rest = url.path().strip_prefix(base_path)?;
        if !(rest.is_empty() || rest.starts_with('/')) {
            return None;
        }
        let segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
        let (key, project, comment) = match t.kind {
            TrackerKind::Trac => match segments.as_slice() {
                ["ticket", n] => (number(n)?, String::new(), trac_comment(url.fragment())),
                _ => return None,
            },
            TrackerKind::Codebase => match segments.as_slice() {
                ["projects", project, "tickets", n] => (number(n)?, (*project).to_owned(), None),
                _ => return None,
            },
            TrackerKind::Trello => match segments.as_slice() {
                ["c", short, ..] if is_shortlink(short) => {
                    ((*short).to_owned(), String::new(), None)
                }
                _ => return None,
            },
            TrackerKind::Jira => match segments.as_slice() {
                ["browse", key] => (issue_key(key)?, String::new(), None),
                _ => return None,
            },
            TrackerKind::Yandex => match segments.as_slice() {
                [key] => (issue_key(key)?, String::new(), None),
                _ => return None,
            },
        };
        Some(TicketRef {
            tracker: t.name.clone(),
            kind: t.kind,
            key,
            project,
            comment,
            url: link.to_owned(),
        })
    })
}

fn number(s: &str) -> Option<String> {
    let n: u64 = s.parse().ok().filter(|n| *n > 0)?;
    Some(n.to_string())
}

/// `comment:3` → 3; Trac anchors a reply by its own number, the last
/// segment of `1.3`.
fn trac_comment(fragment: Option<&str>) -> Option<u32> {
    fragment?
        .strip_prefix("comment:")?
        .parse()
        .ok()
        .filter(|n| *n > 0)
}

fn is_shortlink(s: &str) -> bool {
    (6..=16).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `ABC-12`: a letter, then letters, digits or `_`, a dash and a number.
fn issue_key(s: &str) -> Option<String> {
    let (project, n) = s.split_once('-')?;
    let ok = project.chars().next()?.is_ascii_alphabetic()
        && project
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_');
    // The number as parsed, so `+5` or `007` cannot reach a URL path as typed.
    let n = number(n).filter(|_| ok)?;
    Some(format!("{}-{n}", project.to_ascii_uppercase()))
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
