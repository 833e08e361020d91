use super::*;

#[test]
fn formats_known_instants() {
    assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
    assert_eq!(format_utc(951_782_400), "2000-02-29 00:00 UTC");
    assert_eq!(format_utc(1_795_000_000), "2026-11-18 11:06 UTC");
}
