use super::*;

#[test]
fn slack_ids() {
    let check = |input: &str, ok: bool| {
        assert_eq!(UserId::parse(input).is_ok(), ok, "user id {input:?}");
    };
    check("U012AB3CD", true);
    check("W012AB3CD", true);
    check("u012ab3cd", false);
    check("C012AB3CD", false);
    check("U", false);
    check("U1", true);
    check("U012AB3CD; rm -rf", false);
    check("Ü012", false);
    assert!(ChannelId::parse("C024BE91L").is_ok());
    assert!(ChannelId::parse("D024BE91L").is_ok());
    assert!(TeamId::parse("T0001").is_ok());
    assert!(TeamId::parse("X0001").is_err());
}

#[test]
fn job_ids_round_trip() {
    let id = JobId::new_random();
    assert_eq!(JobId::parse(id.as_str()), Ok(id.clone()));
    assert_eq!(id.short().len(), 8);
    assert_eq!(short_job_id("0123456789abcdef"), "01234567");
    assert_eq!(short_job_id("éééééééééé"), "éééééééé");
    assert_eq!(short_job_id("abc"), "abc");
    assert_ne!(JobId::new_random(), id);
    assert!(JobId::parse("not-a-job").is_err());
}
