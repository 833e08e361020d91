//! Markup as plain text: Trac wiki markup (descriptions, RPC comments) and
//! Trac's rendered HTML (RSS comments).

/// How much of a description is converted: a card shows a few hundred
/// characters, and a bound keeps one huge description from costing the
/// single-threaded Lambda its budget.
pub const MARKUP_PREFIX_BYTES: usize = 64 * 1024;

/// Trac wiki markup as plain text: code blocks keep their lines, bold and
/// italic quotes go, links keep their text. Only the first
/// [`MARKUP_PREFIX_BYTES`] are read, and the work is linear in them
/// whatever the markup (unclosed `{{{`, `[[` or `[` runs included).
pub fn wiki_to_text(wiki: &str) -> String {
    let mut cut = wiki.len().min(MARKUP_PREFIX_BYTES);
    while !wiki.is_char_boundary(cut) {
        cut -= 1;
    }
    let truncated = cut < wiki.len();
    let wiki = wiki[..cut].replace("\r\n", "\n");
    let mut lines = Vec::new();
    let mut in_code = false;
    let mut code_start = false;
    for line in wiki.lines() {
        let trimmed = line.trim();
        if in_code {
            if trimmed == "}}}" {
                in_code = false;
            } else if !(code_start && trimmed.starts_with("#!")) {
                // A processor line (`#!python`) says how to render, not what.
                lines.push(line.to_owned());
            }
            code_start = false;
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix("{{{")
            && !rest.contains("}}}")
        {
            in_code = true;
            code_start = rest.is_empty();
            continue;
        }
        lines.push(wiki_inline(line));
    }
    let mut text = lines.join("\n").trim().to_owned();
    if truncated {
        text.push_str(" …");
    }
    text
}

/// Closers known to be absent from the rest of a line: once a search for
/// one fails, no later position can find it, so it is never searched again
/// (without this, `{{{{{{…` costs a scan per character).
#[derive(Default)]
struct Absent {
    code_close: bool,
    link_close: bool,
    bracket_close: bool,
}

fn wiki_inline(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut absent = Absent::default();
    while let Some(c) = rest.chars().next() {
        if !absent.code_close
            && let Some(code) = rest.strip_prefix("{{{")
        {
            match code.find("}}}") {
                Some(end) => {
                    out.push_str(&code[..end]);
                    rest = &code[end + 3..];
                    continue;
                }
                None => absent.code_close = true,
            }
        }
        // `!` escapes markup: `![not a link]`, `!''quotes!''`.
        if let Some(escaped) = rest.strip_prefix('!')
            && (escaped.starts_with('[') || escaped.starts_with("''"))
        {
            let run = escaped.len() - escaped.trim_start_matches(['[', '\'']).len();
            out.push_str(&escaped[..run]);
            rest = &escaped[run..];
            continue;
        }
        if !absent.link_close
            && let Some(link) = rest.strip_prefix("[[")
        {
            match link.find("]]") {
                Some(end) => {
                    let (target, label) = link[..end].split_once('|').unwrap_or((&link[..end], ""));
                    let label = if label.trim().is_empty() {
                        target
                    } else {
                        label
                    };
                    out.push_str(&wiki_inline(label.trim()));
                    rest = &link[end + 2..];
                    continue;
                }
                None => absent.link_close = true,
            }
        }
        if !absent.bracket_close
            && let Some(link) = rest.strip_prefix('[')
        {
            // The link ends at the first `]`, unless a `[` comes first; the
            // search stops at whichever it meets, so a run of `[` is cheap.
            match link.find(['[', ']']) {
                Some(end) if end > 0 && link.as_bytes()[end] == b']' => {
                    let inner = link[..end].trim();
                    let label = inner
                        .split_once(char::is_whitespace)
                        .map_or(inner, |(_, l)| l.trim());
                    out.push_str(&wiki_inline(label));
                    rest = &link[end + 1..];
                    continue;
                }
                Some(_) => {}
                None => absent.bracket_close = true,
            }
        }
        if rest.starts_with("''") {
            rest = rest.trim_start_matches('\'');
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Trac's rendered HTML (an RSS item's description) as plain text:
/// paragraphs stay apart, quotes get `> `, the list of field changes goes.
pub(super) fn html_to_text(html: &str) -> String {
    let mut text = PlainText::default();
    let mut rest = drop_field_changes(html);
    while !rest.is_empty() {
        match rest.find('<') {
            Some(0) => {
                let end = rest.find('>').map_or(rest.len(), |i| i + 1);
                text.tag(&rest[..end]);
                rest = &rest[end..];
            }
            Some(i) => {
                text.text(&unescape_html(&rest[..i]));
                rest = &rest[i..];
            }
            None => {
                text.text(&unescape_html(rest));
                rest = "";
            }
        }
    }
    text.finish()
}

/// Trac puts a change's field updates first, as `<ul><li><strong>field…`;
/// the card shows fields separately, so only the comment is kept.
fn drop_field_changes(html: &str) -> &str {
    let trimmed = html.trim_start();
    if let Some(list) = trimmed.strip_prefix("<ul>")
        && list.trim_start().starts_with("<li><strong>")
        && let Some(end) = list.find("</ul>")
    {
        return &list[end + "</ul>".len()..];
    }
    html
}

/// The most `> ` marks a quoted line gets.
const MAX_QUOTE_DEPTH: usize = 4;

/// Builds plain text line by line from HTML text and tags.
#[derive(Default)]
struct PlainText {
    out: String,
    line: String,
    /// A block ended, so the next line starts a new paragraph.
    paragraph: bool,
    quote: usize,
    pre: usize,
}

impl PlainText {
    fn text(&mut self, s: &str) {
        for c in s.chars() {
            if self.pre > 0 {
                if c == '\n' {
                    self.flush();
                } else {
                    self.line.push(c);
                }
            } else if c.is_ascii_whitespace() {
                if !self.line.is_empty() && !self.line.ends_with(' ') {
                    self.line.push(' ');
                }
            } else {
                self.line.push(c);
            }
        }
    }

    fn tag(&mut self, tag: &str) {
        let inner = tag.trim_start_matches('<').trim_end_matches('>');
        let closing = inner.starts_with('/');
        let name = inner
            .trim_start_matches('/')
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match name.as_str() {
            "p" | "div" | "pre" | "blockquote" | "ul" | "ol" | "table" | "h1" | "h2" | "h3"
            | "h4" | "h5" | "h6" => {
                self.flush();
                self.paragraph = !self.out.is_empty();
                let depth = match name.as_str() {
                    "blockquote" => &mut self.quote,
                    "pre" => &mut self.pre,
                    _ => return,
                };
                *depth = if closing {
                    depth.saturating_sub(1)
                } else {
                    *depth + 1
                };
            }
            "br" | "tr" | "dt" | "dd" => self.flush(),
            "li" => {
                self.flush();
                if !closing {
                    self.line.push_str("• ");
                }
            }
            _ => {}
        }
    }

    fn flush(&mut self) {
        let line = if self.pre > 0 {
            self.line.trim_end()
        } else {
            self.line.trim()
        };
        if !line.is_empty() {
            if !self.out.is_empty() {
                self.out
                    .push_str(if self.paragraph { "\n\n" } else { "\n" });
            }
            // Deeper quotes show as this deep, so nesting cannot multiply the text.
            self.out
                .push_str(&"> ".repeat(self.quote.min(MAX_QUOTE_DEPTH)));
            self.out.push_str(line);
            self.paragraph = false;
        }
        self.line.clear();
    }

    fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

fn unescape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let decoded = rest
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| Some((html_entity(&rest[1..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn html_entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        // A space that the whitespace rules then treat like any other.
        "nbsp" => Some(' '),
        _ => {
            let code = name.strip_prefix('#')?;
            let n = match code.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => code.parse().ok()?,
            };
            char::from_u32(n)
        }
    }
}

#[cfg(test)]
mod tests;
