//! The floor for the dispatcher's benchmarks: a hello-world `lambda_http`
//! function built by this crate, so it shares the dispatcher's release
//! profile and `lambda_http` features. Like a real function it builds the
//! AWS config and a DynamoDB and an ECS client once at start, then answers
//! every request `200 hello`. `scripts/bench.sh` runs it beside the
//! dispatcher; see docs/PERFORMANCE.md.

use aws_config::{BehaviorVersion, Region};
use lambda_http::{Body, Error, Request, Response, service_fn};

#[tokio::main]
async fn main() -> Result<(), Error> {
    // A fixed region, so start-up does not probe the instance metadata service.
    let aws = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .load()
        .await;
    let dynamodb = aws_sdk_dynamodb::Client::new(&aws);
    let ecs = aws_sdk_ecs::Client::new(&aws);
    let clients = &(dynamodb, ecs);
    lambda_http::run(service_fn(move |_req: Request| async move {
        // Held for the function's life, as a real handler would.
        let _ = clients;
        Response::builder()
            .status(200)
            .header("content-type", "text/plain")
            .body(Body::from("hello"))
            .map_err(Error::from)
    }))
    .await
}
