use super::*;
use crate::state::MemoryStore;

fn config(text: &str) -> Config {
    Config::parse(text, "test").expect("valid")
}

#[tokio::test]
async fn push_versions_and_refresh_within_a_minute() {
    let store = MemoryStore::new();
    assert!(
        LiveConfig::from_store(&store)
            .await
            .is_err_and(|e| e.to_string().contains("config push"))
    );
    let v1 = config("[commands.jobs]\npublic = true\n");
    assert_eq!(push(&store, &v1).await.expect("push"), 1);
    let live = LiveConfig::from_store(&store).await.expect("load");
    assert!(live.get(&store).await.access("deploy").is_none());

    let v2 = config("[commands.deploy]\nallow_users = [\"U1\"]\n");
    assert_eq!(push(&store, &v2).await.expect("push"), 2);
    // Within the minute the old one is still served…
    assert!(live.get(&store).await.access("deploy").is_none());
    // …and after it the new one, without a restart.
    live.age(REFRESH_EVERY);
    assert!(live.get(&store).await.access("deploy").is_some());
}

#[test]
fn per_config_values_are_built_once_per_config() {
    let builds = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = builds.clone();
    let per = PerConfig::new(move |c: &Config| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        c.slack.api_url.clone()
    });
    let a = Arc::new(config(""));
    assert_eq!(*per.get(&a), crate::config::DEFAULT_SLACK_API_URL);
    per.get(&a);
    assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 1);
    let b = Arc::new(config("[slack]\napi_url = \"http://127.0.0.1:1\"\n"));
    assert_eq!(*per.get(&b), "http://127.0.0.1:1");
    assert_eq!(builds.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_bad_newest_push_falls_back_to_the_last_good_one() {
    let store = MemoryStore::new();
    push(&store, &config("[commands.jobs]\npublic = true\n"))
        .await
        .expect("v1");
    // A version this build cannot read, as a newer CLI might push.
    store
        .put(
            Item {
                key: Key::new(PK, version_sk(2)),
                value: "[brand_new_section]\nx = 1\n".into(),
                expires_at: None,
            },
            Condition::Absent,
        )
        .await
        .expect("v2");
    let live = LiveConfig::from_store(&store)
        .await
        .expect("falls back to v1");
    assert!(live.get(&store).await.access("jobs").is_some());
    // And a refresh does not switch to the bad one either.
    live.age(REFRESH_EVERY);
    assert!(live.get(&store).await.access("jobs").is_some());
}

#[tokio::test]
async fn pushed_configs_load_from_dynamodb_on_moto() {
    let aws = crate::testing::moto::sdk_config().await;
    let table = crate::testing::moto::create_table(&aws).await;
    let store = crate::state::DynamoStore::new(aws_sdk_dynamodb::Client::new(&aws), table);
    assert_eq!(
        push(&store, &config("[commands.jobs]\npublic = true\n"))
            .await
            .expect("v1"),
        1
    );
    assert_eq!(
        push(&store, &config("[commands.help]\npublic = true\n"))
            .await
            .expect("v2"),
        2
    );
    let live = LiveConfig::from_store(&store).await.expect("load");
    let current = live.get(&store).await;
    assert!(current.access("help").is_some() && current.access("jobs").is_none());
}
