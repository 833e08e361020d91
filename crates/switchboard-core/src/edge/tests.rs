use super::*;
use crate::slack::verify::signed_headers;

const SECRET: &str = "edge-secret";

fn echo_edge() -> Router {
    Edge::new()
            .route("/slack", FORM, Auth::Slack(Some(Secret::new(SECRET))), |req: Verified| async move {
                Reply::plain(200, &format!("{} bytes", req.body().len()))
            })
            .route(
                "/hook",
                JSON,
                Auth::Hub {
                    secret: Some(Secret::new(SECRET)),
                    header: "x-hub-signature-256",
                },
                |_| async { Reply::plain(200, "moved") },
            )
            .route("/bench", JSON, Auth::Bearer(None), |_| async {
                Reply::plain(200, "set")
            })
            .into_router()
}

fn slack_signed(body: &[u8], content_type: &str) -> HeaderMap {
    let mut h = signed_headers(&Secret::new(SECRET), body);
    h.insert(header::CONTENT_TYPE, content_type.parse().expect("header"));
    h
}

#[tokio::test]
async fn each_check_answers_before_the_handler() {
    let app = echo_edge();
    let body = b"text=help";
    let ok = dispatch(&app, "/slack", &slack_signed(body, FORM), body).await;
    assert_eq!((ok.status, ok.body.as_str()), (200, "9 bytes"));

    let unsigned = dispatch(&app, "/slack", &HeaderMap::new(), body).await;
    assert_eq!(
        (unsigned.status, unsigned.body.as_str()),
        (401, "invalid Slack signature")
    );

    let wrong_type = dispatch(&app, "/slack", &slack_signed(body, JSON), body).await;
    assert_eq!(wrong_type.status, 415);

    let big = vec![b'a'; MAX_BODY_BYTES + 1];
    let too_large = dispatch(&app, "/slack", &slack_signed(&big, FORM), &big).await;
    assert_eq!(
        (too_large.status, too_large.body.as_str()),
        (413, "the request body is larger than 1 MiB")
    );

    let json = br#"{"a":1}"#;
    let mut hub = HeaderMap::new();
    hub.insert(
        "x-hub-signature-256",
        hub::sign(&Secret::new(SECRET), json)
            .parse()
            .expect("header"),
    );
    assert_eq!(dispatch(&app, "/hook", &hub, json).await.status, 200);
    let refused = dispatch(&app, "/hook", &HeaderMap::new(), json).await;
    assert_eq!(refused.status, 401);
    assert!(refused.body.contains("\"result\""), "{}", refused.body);
    hub.insert(header::CONTENT_TYPE, "text/plain".parse().expect("header"));
    let wrong = dispatch(&app, "/hook", &hub, json).await;
    assert_eq!(wrong.status, 415);
    assert!(
        wrong.body.contains("expected Content-Type"),
        "{}",
        wrong.body
    );

    // Without its secret a route refuses everything.
    let mut bearer = HeaderMap::new();
    bearer.insert("authorization", "Bearer ".parse().expect("header"));
    assert_eq!(dispatch(&app, "/bench", &bearer, json).await.status, 401);
    assert_eq!(
        dispatch(&app, "/nowhere", &HeaderMap::new(), json)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn a_bearer_token_or_a_signature_opens_the_bench_route() {
    let secret = Secret::new("bench");
    let app = Edge::new()
        .route(
            "/bench",
            JSON,
            Auth::Bearer(Some(secret.clone())),
            |_| async { Reply::plain(200, "set") },
        )
        .into_router();
    let body = br#"{}"#;
    let with = |name: &str, value: &str| {
        let mut h = HeaderMap::new();
        h.insert(
            http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
            value.parse().expect("value"),
        );
        h
    };
    let status = |h: HeaderMap| {
        let app = app.clone();
        async move { dispatch(&app, "/bench", &h, body).await.status }
    };
    assert_eq!(status(with("authorization", "Bearer bench")).await, 200);
    assert_eq!(status(with("authorization", "Bearer wrong")).await, 401);
    assert_eq!(
        status(with("x-hub-signature-256", &hub::sign(&secret, body))).await,
        200
    );
    assert_eq!(status(HeaderMap::new()).await, 401);
}
