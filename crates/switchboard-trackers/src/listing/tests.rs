use super::*;

#[test]
fn labels_split_on_spaces_and_commas() {
    assert_eq!(split_labels("a b,c , d"), ["a", "b", "c", "d"]);
    assert!(split_labels("  ").is_empty());
}
