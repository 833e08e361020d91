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
mod tests {
    use super::*;

    #[test]
    fn cuts_count_characters_and_fit() {
        let cases = [
            ("ok", 3, Cut::Ellipsis, "ok"),
            ("éééé", 3, Cut::Ellipsis, "éé…"),
            ("héllo wörld", 5, Cut::Ellipsis, "héll…"),
            ("short", 10, Cut::Ellipsis, "short"),
            ("ab cd", 4, Cut::Ellipsis, "ab…"),
            ("abc", 0, Cut::Ellipsis, ""),
            ("привет мир", 20, Cut::Word, "привет мир"),
            ("привет мир всем", 11, Cut::Word, "привет мир…"),
            ("абвгдежзий", 5, Cut::Word, "абвг…"),
            ("  padded  ", 10, Cut::Word, "padded"),
            ("abc", 0, Cut::Word, ""),
            ("  short\n", 5, Cut::Line, "short"),
            ("", 5, Cut::Line, ""),
            ("one two\nthree four", 14, Cut::Line, "one two…"),
            ("one two three four", 16, Cut::Line, "one two three…"),
            ("a\nlonger line here", 12, Cut::Line, "a\nlonger li…"),
            ("xxxxxxxxxx", 6, Cut::Line, "xxxxx…"),
            ("слово слово слово", 12, Cut::Line, "слово слово…"),
            ("pull_request_review", 4, Cut::Plain, "pull"),
            ("ü🎉x", 2, Cut::Plain, "ü🎉"),
            ("  kept  ", 8, Cut::Plain, "  kept  "),
        ];
        for (text, max, how, want) in cases {
            assert_eq!(shorten(text, max, how), want, "{text:?} {max} {how:?}");
        }
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use crate::testing::prop;
    use proptest::prelude::*;

    fn cut() -> impl Strategy<Value = Cut> {
        proptest::sample::select(vec![Cut::Plain, Cut::Ellipsis, Cut::Word, Cut::Line])
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn shortened_text_fits(text in prop::message_text(), max in 0usize..400, how in cut()) {
            let short = shorten(&text, max, how);
            prop_assert!(short.chars().count() <= max);
            let head = short.strip_suffix('…').unwrap_or(&short);
            prop_assert!(text.contains(head));
        }
    }
}
