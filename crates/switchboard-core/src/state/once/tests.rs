/// The in-progress bound is only safe while no function outlives it.
#[test]
fn the_function_timeout_is_the_templates() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    let template = std::fs::read_to_string(path).expect("template.yaml");
    let globals = template
        .split("\nGlobals:")
        .nth(1)
        .and_then(|g| g.split("\nResources:").next())
        .expect("a Globals section");
    let timeout = globals
        .lines()
        .find_map(|l| l.trim().strip_prefix("Timeout:"))
        .and_then(|t| t.trim().parse::<i64>().ok())
        .expect("Globals.Function.Timeout");
    assert_eq!(timeout, super::FUNCTION_TIMEOUT_SECS);
}
