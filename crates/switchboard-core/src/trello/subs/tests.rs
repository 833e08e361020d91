use super::*;
use crate::fakes::MemoryStore;

fn stored(board: &str, channel: &str, at: i64) -> Stored {
    Stored {
        sub: Subscription {
            board: board.into(),
            channel: ChannelId::parse(channel).expect("channel"),
            tracker: "trello".into(),
            actions: vec![TrelloActionKind::MoveCard, TrelloActionKind::CreateCard],
            lists: vec!["To Do".into()],
        },
        added_by: UserId::parse("UANN").expect("user"),
        added_at: at,
    }
}

#[test]
fn action_names_are_the_configs() {
    for kind in TrelloActionKind::ALL {
        let from_toml: TrelloActionKind =
            serde_json::from_value(serde_json::json!(kind.name())).expect("serde name");
        assert_eq!(from_toml, kind);
        assert_eq!(TrelloActionKind::from_name(kind.name()), Some(kind));
    }
    assert_eq!(TrelloActionKind::from_name("deleteCard"), None);
}

#[tokio::test]
async fn stored_subscriptions_round_trip_replace_by_compare_and_set_and_go_away() {
    let store = MemoryStore::new();
    let subs = SubscriptionStore::new(&store);
    let a = stored("aBcD1234", "C0TEAM", 100);
    subs.save(&a, None).await.expect("save");
    assert!(matches!(
        subs.save(&a, None).await,
        Err(StoreError::ConditionFailed)
    ));
    subs.save(&stored("zz99", "C0OTHER", 5), None)
        .await
        .expect("save");
    let current = subs
        .get(&a.sub.channel, "aBcD1234")
        .await
        .expect("get")
        .expect("stored");
    assert_eq!(current.stored, a);
    let mut b = a.clone();
    b.sub.lists = vec!["Done".into()];
    subs.save(&b, Some(&current)).await.expect("replace");
    // The value compared against is gone now.
    assert!(matches!(
        subs.save(&a, Some(&current)).await,
        Err(StoreError::ConditionFailed)
    ));
    assert_eq!(
        subs.list(Some(&a.sub.channel)).await.expect("list"),
        vec![b]
    );
    assert_eq!(subs.list(None).await.expect("all").len(), 2);
    subs.remove(&a.sub.channel, "aBcD1234")
        .await
        .expect("remove");
    assert!(
        subs.list(Some(&a.sub.channel))
            .await
            .expect("list")
            .is_empty()
    );
    assert!(
        subs.get(&a.sub.channel, "aBcD1234")
            .await
            .expect("get")
            .is_none()
    );
    // Subscribing again after a removal is a new subscription.
    subs.save(&a, None).await.expect("again");
}

#[tokio::test]
async fn an_unreadable_record_is_left_out_not_fatal() {
    let store = MemoryStore::new();
    for (sk, value) in [
        ("C0TEAM#bad", "not json"),
        (
            "C0TEAM#x1",
            r#"{"board":"x 1","channel":"C0TEAM","tracker":"t","added_by":"UANN","added_at":1}"#,
        ),
        (
            "C0TEAM#x2",
            r#"{"board":"x2","channel":"C0TEAM","tracker":"t","actions":["deleteCard"],"added_by":"UANN","added_at":1}"#,
        ),
    ] {
        store
            .put(
                Item {
                    key: Key::new(PK, sk),
                    value: value.into(),
                    expires_at: None,
                },
                Condition::None,
            )
            .await
            .expect("put");
    }
    let subs = SubscriptionStore::new(&store);
    subs.save(&stored("good1", "C0TEAM", 1), None)
        .await
        .expect("save");
    let all = subs.list(None).await.expect("list");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].sub.board, "good1");
}

#[test]
fn the_config_wins_a_clash_and_the_rest_are_kept_in_order() {
    let config = vec![stored("b1", "C0TEAM", 0).sub];
    let mut clash = stored("b1", "C0TEAM", 9);
    clash.sub.lists = vec!["Other".into()];
    let elsewhere = stored("b1", "C0OTHER", 9);
    let got = in_force(&config, vec![clash, elsewhere.clone()]);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0], (config[0].clone(), Origin::Config));
    assert_eq!(
        got[1],
        (
            elsewhere.sub,
            Origin::Added {
                by: elsewhere.added_by,
                at: 9
            }
        )
    );
}
