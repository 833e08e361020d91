//! Splits command text into words the way a shell would, without running
//! anything: single and double quotes group, a backslash escapes outside
//! single quotes. Slack clients often turn quotes into typographic ones, so
//! those count as quotes too.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    #[error("unbalanced {0} quote: close it, or escape it with a backslash")]
    Unbalanced(&'static str),
    #[error("the text ends with a lone backslash")]
    TrailingBackslash,
}

fn normalise(c: char) -> char {
    match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2018}' | '\u{2019}' | '\u{201A}' => '\'',
        '\u{00A0}' => ' ',
        other => other,
    }
}

pub fn split(text: &str) -> Result<Vec<String>, SplitError> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = text.chars().map(normalise);
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unbalanced("single")),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\')) => word.push(c),
                            Some(c) => {
                                word.push('\\');
                                word.push(c);
                            }
                            None => return Err(SplitError::Unbalanced("double")),
                        },
                        Some(c) => word.push(c),
                        None => return Err(SplitError::Unbalanced("double")),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some(c) => word.push(c),
                    None => return Err(SplitError::TrailingBackslash),
                }
            }
            c => {
                in_word = true;
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Result<&[&str], SplitError>) {
        let got = split(input);
        let want = expected.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(got, want, "input {input:?}");
    }

    #[test]
    fn table() {
        check("", Ok(&[]));
        check("   \t ", Ok(&[]));
        check("help", Ok(&["help"]));
        check(
            "deploy --client acme --branch main",
            Ok(&["deploy", "--client", "acme", "--branch", "main"]),
        );
        check(
            "  deploy   --client=acme  ",
            Ok(&["deploy", "--client=acme"]),
        );
        check("a 'b c' \"d e\"", Ok(&["a", "b c", "d e"]));
        check("x \"\" y", Ok(&["x", "", "y"]));
        check("say \"he said \\\"hi\\\"\"", Ok(&["say", "he said \"hi\""]));
        check("'it''s'", Ok(&["its"]));
        check("a\\ b", Ok(&["a b"]));
        check(
            "\u{201C}feature x\u{201D} \u{2018}y z\u{2019}",
            Ok(&["feature x", "y z"]),
        );
        check("клиент «Ромашка» 🎉", Ok(&["клиент", "Ромашка", "🎉"]));
        check("a\u{00A0}b", Ok(&["a", "b"]));
        check("$(rm -rf /) `id`", Ok(&["$(rm", "-rf", "/)", "`id`"]));
        check("'open", Err(SplitError::Unbalanced("single")));
        check("deploy \"open", Err(SplitError::Unbalanced("double")));
        check("trailing \\", Err(SplitError::TrailingBackslash));
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    /// Characters that matter to the splitter, and some that do not.
    fn word() -> impl Strategy<Value = String> {
        let special = proptest::sample::select(vec![
            ' ', '\t', '\n', '\'', '"', '\\', '\u{201C}', '\u{201D}', '\u{2018}', '\u{2019}',
            '\u{00AB}', '\u{00A0}', '$', '-', '=', 'a', 'Z', 'é', '🎉',
        ]);
        proptest::collection::vec(prop_oneof![3 => special, 1 => any::<char>()], 0..12)
            .prop_map(String::from_iter)
    }

    /// Quotes a word so that `split` gives it back: in double quotes,
    /// in single quotes when it holds none, or with backslashes.
    fn quote(word: &str, style: u8) -> String {
        match style % 3 {
            0 => {
                let mut out = String::from("\"");
                for c in word.chars() {
                    if matches!(c, '"' | '\\') {
                        out.push('\\');
                    }
                    out.push(c);
                }
                out.push('"');
                out
            }
            1 if !word.contains('\'') => format!("'{word}'"),
            _ if word.is_empty() => "''".to_owned(),
            _ => word
                .chars()
                .flat_map(|c| {
                    let escape = c.is_whitespace() || matches!(c, '"' | '\'' | '\\');
                    escape.then_some('\\').into_iter().chain([c])
                })
                .collect(),
        }
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn any_text_splits_or_says_why(text in prop_oneof![any::<String>(), word()]) {
            if let Ok(words) = split(&text) {
                // Words are never longer, in total, than the text they came from.
                prop_assert!(words.iter().map(String::len).sum::<usize>() <= text.len());
            }
        }

        #[test]
        fn quoted_words_split_back(words in proptest::collection::vec((word(), any::<u8>()), 0..6)) {
            // Typographic quotes and no-break spaces are read as their ASCII
            // selves wherever they are, so the words come back normalised.
            let words: Vec<(String, u8)> = words
                .into_iter()
                .map(|(w, style)| (w.chars().map(normalise).collect(), style))
                .collect();
            let text = words
                .iter()
                .map(|(w, style)| quote(w, *style))
                .collect::<Vec<_>>()
                .join(" ");
            let want: Vec<String> = words.into_iter().map(|(w, _)| w).collect();
            prop_assert_eq!(split(&text), Ok(want), "text {:?}", text);
        }
    }
}
