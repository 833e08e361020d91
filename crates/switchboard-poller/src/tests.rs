use super::*;

#[test]
fn the_deadline_leaves_a_margin_and_never_lies_in_the_past() {
    let now_ms = u64::try_from(switchboard_core::clock::now_millis()).expect("clock");
    let start = tokio::time::Instant::now();
    let d = deadline_from_epoch_ms(now_ms + 60_000, Duration::from_secs(20));
    let left = d - start;
    // The two clocks are read a moment apart, so allow a second.
    assert!(
        left > Duration::from_secs(39) && left < Duration::from_secs(41),
        "{left:?}"
    );
    let gone = deadline_from_epoch_ms(now_ms.saturating_sub(5_000), Duration::from_secs(20));
    assert!(gone >= start && gone - start < Duration::from_secs(1));
}
