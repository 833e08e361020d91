use super::*;

#[test]
fn claims_round_trip_and_garbage_reads_as_an_old_pending_claim() {
    let pending = Claim::Pending {
        at: 5,
        thread: Some("1.2".into()),
        owner: None,
    };
    assert_eq!(
        pending.encode(),
        r#"{"state":"pending","at":5,"thread":"1.2"}"#
    );
    assert_eq!(Claim::decode(&pending.encode()), pending);
    let posted = Claim::Posted { ts: "1.3".into() };
    assert_eq!(Claim::decode(&posted.encode()), posted);
    assert_eq!(
        Claim::decode("1714731300"),
        Claim::Pending {
            at: 0,
            thread: None,
            owner: None
        }
    );
}
