//! The bridge Lambda: wiring only.

use lambda_http::{Body, Error, Request, Response, service_fn};
use switchboard_bridge::{Bridge, Provider};
use switchboard_core::reply::Reply;
use switchboard_core::runtime::Runtime;

#[tokio::main]
async fn main() -> Result<(), Error> {
    switchboard_core::telemetry::init();
    let bridge = Bridge::from_runtime(Runtime::from_env().await?);
    let bridge = &bridge;
    lambda_http::run(service_fn(move |req: Request| async move {
        let (headers, body) = (req.headers(), req.body().as_ref());
        let reply = match req.uri().path() {
            "/webhooks/bitbucket" => bridge.handle_pr(Provider::Bitbucket, headers, body).await,
            "/webhooks/github" => bridge.handle_pr(Provider::Github, headers, body).await,
            "/webhooks/bench" => bridge.handle_bench(headers, body).await,
            _ => Reply::plain(404, "not found"),
        };
        Response::builder()
            .status(reply.status)
            .header("content-type", reply.content_type)
            .body(Body::from(reply.body))
            .map_err(Error::from)
    }))
    .await
}
