//! What the property tests of every parser share: their settings and
//! strategies for structured outside input (JSON and XML documents built
//! from the words a parser looks for, so cases reach past the first check).

use proptest::prelude::*;

/// The least number of cases each property runs in the test command.
pub const MIN_CASES: u32 = 10_000;

/// The settings every parser property uses: at least [`MIN_CASES`] cases,
/// more when `PROPTEST_CASES` asks for a longer run, a fixed seed unless
/// it does, and no regression files written into the source tree.
pub fn config() -> proptest::test_runner::Config {
    let default = proptest::test_runner::Config::default();
    // The test command explores the same cases every run, so CI is
    // repeatable; a longer run (`make fuzz`, which sets PROPTEST_CASES)
    // draws new ones each time.
    let rng_seed = if std::env::var_os("PROPTEST_CASES").is_some() {
        proptest::test_runner::RngSeed::Random
    } else {
        proptest::test_runner::RngSeed::Fixed(FIXED_SEED)
    };
    proptest::test_runner::Config {
        cases: default.cases.max(MIN_CASES),
        failure_persistence: None,
        rng_seed,
        ..default
    }
}

/// The seed of the test command's property runs.
const FIXED_SEED: u64 = 0x5b5b_2026_1122_0001;

/// Short text that is often one of `words`, sometimes anything at all.
pub fn word(words: &'static [&'static str]) -> BoxedStrategy<String> {
    prop_oneof![
        3 => proptest::sample::select(words).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-zA-Z0-9 _:./#-]{0,12}",
    ]
    .boxed()
}

/// A JSON value whose object keys and strings are mostly `words`, nested a
/// few levels deep.
pub fn json(words: &'static [&'static str]) -> BoxedStrategy<serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        word(words).prop_map(Value::String),
        dates().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(word(words), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// A well-formed XML document whose element names and text are mostly
/// `words`, sometimes with Rails' `nil="true"`; or, now and then, the same
/// cut short, so parsers also see broken documents.
pub fn xml(words: &'static [&'static str]) -> BoxedStrategy<String> {
    let text = word(words).prop_map(|t| escape(&t));
    let tree = text.prop_recursive(4, 40, 6, move |inner| {
        (
            proptest::sample::select(words),
            any::<bool>(),
            proptest::collection::vec(inner, 0..6),
        )
            .prop_map(|(name, nil, children)| {
                let name = if is_xml_name(name) { name } else { "x" };
                let nil = if nil { " nil=\"true\"" } else { "" };
                format!("<{name}{nil}>{}</{name}>", children.concat())
            })
    });
    (tree, any::<bool>(), any::<prop::sample::Index>())
        .prop_map(|(doc, whole, cut)| {
            let doc = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n{doc}");
            if whole {
                return doc;
            }
            let at = cut.index(doc.len() + 1);
            let at = (0..=at)
                .rev()
                .find(|i| doc.is_char_boundary(*i))
                .unwrap_or(0);
            doc[..at].to_owned()
        })
        .boxed()
}

/// Message text: anything at all, or long runs of words, spaces, line
/// breaks, characters Slack escapes and multi-byte characters, so cuts
/// land near word boundaries and escapes.
pub fn message_text() -> BoxedStrategy<String> {
    prop_oneof![
        any::<String>(),
        proptest::collection::vec(
            proptest::sample::select(vec!["word", " ", "\n", "&", "<", ">", "é", "🎉", "x"]),
            0..800,
        )
        .prop_map(|w| w.concat()),
    ]
    .boxed()
}

/// Date-times in the shapes trackers send, some of them subtly wrong.
pub fn dates() -> BoxedStrategy<String> {
    prop_oneof![
        "[0-9]{4}-[0-9]{2}-[0-9]{2}",
        "[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2})?([.,][0-9]{0,9})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?",
        "[0-9]{8}T[0-9]{2}:[0-9]{2}:[0-9]{2}",
        "[0-9]{1,2}/[0-9]{1,2}/[0-9]{2,4}( [0-9]{1,2}:[0-9]{2}(:[0-9]{2})?( [AaPp][Mm])?)?",
        "([A-Z][a-z]{2}, )?[0-9]{1,2} [A-Za-z]{3} [0-9]{4} [0-9]{2}:[0-9]{2}(:[0-9]{2})? (GMT|UT|Z|[+-][0-9]{4})",
    ]
    .boxed()
}

fn is_xml_name(name: &str) -> bool {
    name.chars().next().is_some_and(char::is_alphabetic)
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Text escaped for XML, with the characters XML 1.0 forbids left out.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c < ' ' && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}
