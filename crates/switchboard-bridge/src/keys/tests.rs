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
