//! Wall-clock helpers, so every module agrees on units.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_secs() -> i64 {
    now_millis() / 1000
}

pub fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Formats epoch seconds as `YYYY-MM-DD HH:MM UTC` for people to read.
pub fn format_utc(secs: i64) -> String {
    jiff::Timestamp::from_second(secs).map_or_else(
        |_| format!("{secs} s after 1970 UTC"),
        |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
    )
}

#[cfg(test)]
mod tests;
