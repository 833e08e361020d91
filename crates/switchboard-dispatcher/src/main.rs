//! The dispatcher Lambda: wiring only.

use lambda_http::{Body, Error, Request, Response, service_fn};
use switchboard_core::runtime::Runtime;
use switchboard_dispatcher::Dispatcher;

#[tokio::main]
async fn main() -> Result<(), Error> {
    switchboard_core::telemetry::init();
    let dispatcher = Dispatcher::from_runtime(Runtime::from_env().await?)?;
    let dispatcher = &dispatcher;
    lambda_http::run(service_fn(move |req: Request| async move {
        let reply = match req.uri().path() {
            "/slack/commands" => {
                dispatcher
                    .handle_command(req.headers(), req.body().as_ref())
                    .await
            }
            _ => switchboard_dispatcher::Reply {
                status: 404,
                content_type: "text/plain",
                body: "not found".into(),
            },
        };
        Response::builder()
            .status(reply.status)
            .header("content-type", reply.content_type)
            .body(Body::from(reply.body))
            .map_err(Error::from)
    }))
    .await
}
