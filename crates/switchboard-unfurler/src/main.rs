//! The unfurler Lambda: wiring only.

use lambda_http::{Body, Error, Request, Response, service_fn};
use switchboard_core::runtime::Runtime;
use switchboard_unfurler::Unfurler;

#[tokio::main]
async fn main() -> Result<(), Error> {
    switchboard_core::telemetry::init();
    let unfurler = Unfurler::from_runtime(Runtime::from_env().await?)?;
    let unfurler = &unfurler;
    lambda_http::run(service_fn(move |req: Request| async move {
        let reply = unfurler
            .handle_event(req.headers(), req.body().as_ref())
            .await;
        Response::builder()
            .status(reply.status)
            .header("content-type", reply.content_type)
            .body(Body::from(reply.body))
            .map_err(Error::from)
    }))
    .await
}
