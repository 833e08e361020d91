//! Cutting text to a length. Lengths are counted in characters, as Slack
//! counts its limits, so a cut never splits a character.

/// How [`shorten`] places and marks a cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The first `max` characters, unmarked: for logs and stored fields.
    Plain,
    /// On a character, marked with an ellipsis.
    Ellipsis,
    /// Prose: surrounding whitespace dropped, cut at a word boundary when
    /// one is near the end, marked with an ellipsis.
    Word,
    /// Documents: surrounding whitespace dropped, cut at the last line
    /// break (else the last space) when it is in the second half, marked
    /// with an ellipsis.
    Line,
}

/// `text` in at most `max` characters, cut as `how` says when it is longer.
pub fn shorten(text: &str, max: usize, how: Cut) -> String {
    let text = match how {
        Cut::Word | Cut::Line => text.trim(),
        Cut::Plain | Cut::Ellipsis => text,
    };
    // Where the first character past the budget starts, if there is one.
    let Some((over, _)) = text.char_indices().nth(max) else {
        return text.to_owned();
    };
    if how == Cut::Plain {
        return text[..over].to_owned();
    }
    // The ellipsis takes one character of the budget.
    let Some(keep) = max.checked_sub(1) else {
        return String::new();
    };
    let end = text.char_indices().nth(keep).map_or(over, |(i, _)| i);
    let head = &text[..end];
    let cut = match how {
        Cut::Word => head.rfind(char::is_whitespace).filter(|i| *i > end * 4 / 5),
        Cut::Line => head
            .rfind('\n')
            .or_else(|| head.rfind(' '))
            .filter(|i| *i > end / 2),
        Cut::Plain | Cut::Ellipsis => None,
    }
    .unwrap_or(end);
    format!("{}…", head[..cut].trim_end())
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod prop_tests;
