use super::*;

const NOW: i64 = 1_700_000_000;

fn headers(ts: Option<String>, sig: Option<String>) -> HeaderMap {
    let mut h = HeaderMap::new();
    if let Some(ts) = ts {
        h.insert("x-slack-request-timestamp", ts.parse().expect("header"));
    }
    if let Some(sig) = sig {
        h.insert("x-slack-signature", sig.parse().expect("header"));
    }
    h
}

#[test]
fn signed_headers_verify() {
    let secret = Secret::new("s3cret");
    let h = signed_headers(&secret, b"text=help");
    assert_eq!(
        verify(&secret, &h, b"text=help", crate::clock::now_secs()),
        Ok(())
    );
    assert_eq!(
        verify(&secret, &h, b"text=deploy", crate::clock::now_secs()),
        Err(VerifyError::BadSignature)
    );
}

#[test]
fn slacks_documented_example_verifies() {
    // The worked example from Slack's "Verifying requests from Slack" page.
    let secret = Secret::new("8f742231b10e8888abcd99yyyzzz85a5");
    let body = b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    let h = headers(
        Some("1531420618".into()),
        Some("v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503".into()),
    );
    assert_eq!(verify(&secret, &h, body, 1_531_420_618 + 10), Ok(()));
}

#[test]
fn verification_table() {
    let secret = Secret::new("s3cret");
    let body = b"command=%2Fexample&text=help";
    let good = sign(&secret, NOW, body);
    let check = |ts: Option<String>, sig: Option<String>, body: &[u8], expected| {
        assert_eq!(verify(&secret, &headers(ts, sig), body, NOW), expected);
    };
    let now = || Some(NOW.to_string());
    check(now(), Some(good.clone()), body, Ok(()));
    check(
        Some((NOW - 299).to_string()),
        Some(sign(&secret, NOW - 299, body)),
        body,
        Ok(()),
    );
    check(
        now(),
        Some(sign(&Secret::new("wrong"), NOW, body)),
        body,
        Err(VerifyError::BadSignature),
    );
    check(
        Some((NOW - 301).to_string()),
        Some(sign(&secret, NOW - 301, body)),
        body,
        Err(VerifyError::Stale),
    );
    check(
        Some((NOW + 301).to_string()),
        Some(sign(&secret, NOW + 301, body)),
        body,
        Err(VerifyError::Stale),
    );
    check(
        None,
        Some(good.clone()),
        body,
        Err(VerifyError::MissingTimestamp),
    );
    check(now(), None, body, Err(VerifyError::MissingSignature));
    check(
        Some("soon".into()),
        Some(good.clone()),
        body,
        Err(VerifyError::BadTimestamp),
    );
    // Extreme timestamps are stale, not an arithmetic overflow.
    for extreme in [i64::MIN, i64::MAX] {
        check(
            Some(extreme.to_string()),
            Some(good.clone()),
            body,
            Err(VerifyError::Stale),
        );
    }
    check(
        now(),
        Some(good.clone()),
        b"command=%2Fexample&text=deploy",
        Err(VerifyError::BadSignature),
    );
    check(
        now(),
        Some(good.replace("v0=", "v1=")),
        body,
        Err(VerifyError::BadSignature),
    );
    check(
        now(),
        Some("v0=zz".into()),
        body,
        Err(VerifyError::BadSignature),
    );
    check(
        now(),
        Some(good[..20].to_string()),
        body,
        Err(VerifyError::BadSignature),
    );
    // The timestamp is part of what is signed.
    check(
        Some((NOW + 1).to_string()),
        Some(good),
        body,
        Err(VerifyError::BadSignature),
    );
}
