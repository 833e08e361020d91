//! Finding the issue key a pull request is about.

/// The first `[A-Z][A-Z0-9]+-\d+` in `text` whose project is one of
/// `projects`, as a whole word.
pub fn find_key(text: &str, projects: &[&str]) -> Option<String> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let at_word_start = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        if at_word_start && bytes[i].is_ascii_uppercase() {
            let mut j = i + 1;
            while j < bytes.len() && (bytes[j].is_ascii_uppercase() || bytes[j].is_ascii_digit()) {
                j += 1;
            }
            if j > i + 1 && j < bytes.len() && bytes[j] == b'-' {
                let mut k = j + 1;
                while k < bytes.len() && bytes[k].is_ascii_digit() {
                    k += 1;
                }
                let ends_word = k == bytes.len() || !bytes[k].is_ascii_alphanumeric();
                if k > j + 1 && ends_word && projects.contains(&&text[i..j]) {
                    return Some(text[i..k].to_owned());
                }
            }
        }
        i += 1;
    }
    None
}

/// Looks in the title, then the source branch (branch names are often
/// lower case, so it is read upper-cased), then the description.
pub fn key_for(title: &str, branch: &str, description: &str, projects: &[&str]) -> Option<String> {
    find_key(title, projects)
        .or_else(|| find_key(&branch.to_ascii_uppercase(), projects))
        .or_else(|| find_key(description, projects))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROJECTS: &[&str] = &["SHOP", "OPS2"];

    fn check(title: &str, branch: &str, description: &str, expected: Option<&str>) {
        assert_eq!(
            key_for(title, branch, description, PROJECTS).as_deref(),
            expected,
            "{title:?} {branch:?} {description:?}"
        );
    }

    #[test]
    fn table() {
        check("SHOP-12: fix checkout", "", "", Some("SHOP-12"));
        check("Fix checkout (SHOP-12)", "", "", Some("SHOP-12"));
        check("[SHOP-7] and SHOP-8", "", "", Some("SHOP-7"));
        check("OPS2-3 bump", "", "", Some("OPS2-3"));
        check("no key here", "feature/shop-44-login", "", Some("SHOP-44"));
        check("no key", "main", "Fixes SHOP-9.", Some("SHOP-9"));
        check("title SHOP-1", "feature/SHOP-2", "SHOP-3", Some("SHOP-1"));
        check("OTHER-5 is not ours", "", "", None);
        check("XSHOP-5 glued", "", "", None);
        check("SHOP-5x glued", "", "", None);
        check("SHOP-", "", "", None);
        check("shop-5 lower case title", "", "", None);
        check("Ünïcödé SHOP-6 ✓", "", "", Some("SHOP-6"));
        check("", "", "", None);
    }
}

#[cfg(test)]
mod prop_tests {
    use super::*;
    use proptest::prelude::*;
    use switchboard_core::testing::prop;

    const PROJECTS: &[&str] = &["SHOP", "OPS2"];
    const WORDS: &[&str] = &[
        "SHOP-12", "OPS2-3", "SHOP-", "shop-5", "XSHOP-5", "SHOP-5x", "OTHER-1", "-", " ", "/",
        "feature/", "Ü", "✓", "SHOP", "12",
    ];

    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            proptest::collection::vec(prop::word(WORDS), 0..6).prop_map(|w| w.concat()),
        ]
    }

    /// Whether `key` is `[A-Z][A-Z0-9]+-\d+` with a configured project.
    fn well_formed(key: &str) -> bool {
        let Some((project, n)) = key.split_once('-') else {
            return false;
        };
        PROJECTS.contains(&project) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())
    }

    proptest! {
        #![proptest_config(prop::config())]

        #[test]
        fn found_keys_are_well_formed_and_in_the_text(
            title in text(), branch in text(), description in text(),
        ) {
            if let Some(key) = key_for(&title, &branch, &description, PROJECTS) {
                prop_assert!(well_formed(&key), "{key:?}");
                prop_assert!(
                    title.contains(&key)
                        || branch.to_ascii_uppercase().contains(&key)
                        || description.contains(&key)
                );
            }
        }

        #[test]
        fn a_key_between_spaces_is_found(
            before in text(), after in text(),
            project in proptest::sample::select(PROJECTS), n in 0u32..100_000,
        ) {
            let key = format!("{project}-{n}");
            let title = format!("{before} {key} {after}");
            // An earlier key in the text wins; otherwise it is this one.
            let want = find_key(&before, PROJECTS).unwrap_or(key);
            prop_assert_eq!(find_key(&title, PROJECTS), Some(want));
        }
    }
}
