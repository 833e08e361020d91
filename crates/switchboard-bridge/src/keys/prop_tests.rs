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
