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
