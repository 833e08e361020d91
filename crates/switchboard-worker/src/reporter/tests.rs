use super::*;
use switchboard_core::fakes::RecordingChat;
use switchboard_core::jobs::Work;

#[tokio::test]
async fn falls_back_to_the_channel_after_five_posts() {
    let chat = RecordingChat::default();
    let spec = JobSpec {
        id: "0123456789abcdef".parse().expect("job id"),
        record_sk: "x".into(),
        requested_by: "U1".parse().expect("user id"),
        channel: "COPS".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/commands/T1/1/x"
            .parse()
            .expect("response_url"),
        work: Work::Command {
            name: "backup".into(),
            argv: vec![],
        },
    };
    let mut r = Reporter::new(&chat, &spec, 3, now_secs());
    for i in 0..4 {
        r.post(&format!("update {i}")).await;
    }
    let to: Vec<String> = chat.messages().into_iter().map(|(to, _)| to).collect();
    assert_eq!(
        to,
        [
            "https://hooks.slack.com/commands/T1/1/x",
            "https://hooks.slack.com/commands/T1/1/x",
            "COPS",
            "COPS"
        ]
    );
    assert_eq!(r.posts_used(), 5);
}

#[tokio::test]
async fn an_expired_response_url_is_not_tried() {
    let chat = RecordingChat::default();
    let spec = JobSpec {
        id: "0123456789abcdef".parse().expect("job id"),
        record_sk: "x".into(),
        requested_by: "U1".parse().expect("user id"),
        channel: "COPS".parse().expect("channel id"),
        response_url: "https://hooks.slack.com/commands/T1/1/x"
            .parse()
            .expect("response_url"),
        work: Work::Command {
            name: "backup".into(),
            argv: vec![],
        },
    };
    let mut r = Reporter::new(&chat, &spec, 0, now_secs() - RESPONSE_URL_LIFETIME_SECS - 1);
    r.post("late news").await;
    let to: Vec<String> = chat.messages().into_iter().map(|(to, _)| to).collect();
    assert_eq!(to, ["COPS"]);
}
