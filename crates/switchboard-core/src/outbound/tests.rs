use super::*;

const SECOND: Duration = Duration::from_secs(1);

fn policy(too_long: TooLong) -> Backoff {
    Backoff {
        first: Duration::from_millis(500),
        max: 3 * SECOND,
        retries: 4,
        too_long,
    }
}

#[test]
fn retry_after_reads_seconds_only() {
    let mut headers = reqwest::header::HeaderMap::new();
    assert_eq!(retry_after(&headers), None);
    headers.insert(reqwest::header::RETRY_AFTER, " 7 ".parse().expect("header"));
    assert_eq!(retry_after(&headers), Some(7 * SECOND));
    let date = "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("header");
    headers.insert(reqwest::header::RETRY_AFTER, date);
    assert_eq!(retry_after(&headers), None);
}

#[test]
fn own_waits_double_up_to_max_and_retries_run_out() {
    let mut retries = policy(TooLong::WaitMax).start(None);
    let waits: Vec<_> = (0..5).map(|_| retries.next(None)).collect();
    let ms = Duration::from_millis;
    assert_eq!(
        waits,
        [
            Ok(ms(500)),
            Ok(ms(1000)),
            Ok(ms(2000)),
            Ok(ms(3000)),
            Err(Stop::GaveUp)
        ]
    );
}

#[test]
fn a_server_wait_is_kept_capped_or_refused() {
    let mut capped = policy(TooLong::WaitMax).start(None);
    assert_eq!(capped.next(Some(2 * SECOND)), Ok(2 * SECOND));
    assert_eq!(capped.next(Some(120 * SECOND)), Ok(3 * SECOND));
    let mut strict = policy(TooLong::GiveUp).start(None);
    assert_eq!(strict.next(Some(3 * SECOND)), Ok(3 * SECOND));
    assert_eq!(strict.next(Some(120 * SECOND)), Err(Stop::GaveUp));
}

#[test]
fn no_wait_may_end_past_the_deadline() {
    let deadline = Instant::now() + 2 * SECOND;
    let mut retries = policy(TooLong::WaitMax).start(Some(deadline));
    assert_eq!(retries.next(Some(SECOND)), Ok(SECOND));
    assert_eq!(retries.next(Some(2 * SECOND)), Err(Stop::Deadline));
}

#[test]
fn endless_doubling_stays_at_max() {
    let mut retries = Backoff {
        retries: u32::MAX,
        ..policy(TooLong::WaitMax)
    }
    .start(None);
    let last = (0..100).map(|_| retries.next(None)).last();
    assert_eq!(last, Some(Ok(3 * SECOND)));
}

// Real time, checked from below only: a slow machine can only add time.

#[tokio::test]
async fn slots_are_evenly_spaced() {
    let pace = Pace::per_second(50.0);
    let start = Instant::now();
    for _ in 0..11 {
        pace.wait().await;
    }
    // Eleven slots at 50/s: the first now, the last 200 ms later.
    assert!(start.elapsed() >= Duration::from_millis(200));
}

#[tokio::test]
async fn a_hold_pushes_later_slots_back() {
    let pace = Pace::per_second(1000.0);
    pace.wait().await;
    let start = Instant::now();
    pace.hold(Duration::from_millis(150));
    pace.wait().await;
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn keys_are_paced_apart() {
    let paces = PerKey::per_second(2.0);
    // The first slot of "a" is no earlier than `start`, so its second
    // is no earlier than `start` + 500 ms.
    let start = Instant::now();
    paces.wait("a").await;
    paces.wait("b").await;
    paces.wait("a").await;
    assert!(
        start.elapsed() >= Duration::from_millis(500),
        "the same channel waits"
    );
    // Another channel has its own pace, so "b" took no slot from "a".
    let keys = paces
        .paces
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .len();
    assert_eq!(keys, 2);
}

#[test]
fn the_http_client_is_built_once_on_first_use_and_shared_by_clones() {
    let http = Http::lazy();
    let other = http.clone();
    assert!(!http.is_built() && !other.is_built());
    let first: *const reqwest::Client = other.client();
    assert!(http.is_built(), "a clone's first use builds it for all");
    assert!(std::ptr::eq(first, http.client()), "one client, not two");
}
