use super::*;

#[test]
fn picks_the_transition_by_its_destination() {
    let t = |id: &str, to: &str| Transition {
        id: id.into(),
        name: format!("Go {to}"),
        to: to.into(),
    };
    let all = [
        t("11", "In Progress"),
        t("21", "Ready for Test"),
        t("31", "Needs improvement"),
    ];
    assert_eq!(
        leading_to(&all, "ready for test ").map(|t| t.id.as_str()),
        Some("21")
    );
    assert_eq!(
        leading_to(&all, "Needs Improvement").map(|t| t.id.as_str()),
        Some("31")
    );
    assert_eq!(leading_to(&all, "Done"), None);
}
