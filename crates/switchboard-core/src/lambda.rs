//! The Lambda side of every HTTP function: the same few lines each
//! `main.rs` would otherwise repeat.

use async_trait::async_trait;
use http::HeaderMap;
use lambda_http::{Body, Error, Request, Response, service_fn};

use crate::reply::Reply;

/// An HTTP function: routes a request by path to its handler.
#[async_trait]
pub trait HttpFunction: Send + Sync {
    async fn handle(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Reply;
}

/// Serves API Gateway (HTTP API) events with `function`.
pub async fn serve(function: &dyn HttpFunction) -> Result<(), Error> {
    lambda_http::run(service_fn(move |req: Request| async move {
        let reply = function
            .handle(req.uri().path(), req.headers(), req.body().as_ref())
            .await;
        Response::builder()
            .status(reply.status)
            .header("content-type", reply.content_type)
            .body(Body::from(reply.body))
            .map_err(Error::from)
    }))
    .await
}
