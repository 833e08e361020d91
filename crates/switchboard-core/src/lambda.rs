//! The Lambda side of every HTTP function: the same few lines each
//! `main.rs` would otherwise repeat.

use async_trait::async_trait;
use http::HeaderMap;
use lambda_http::{Body, Error, Request, Response, service_fn};

use crate::reply::{MAX_BODY_BYTES, Reply};

/// An HTTP function: routes a request by path to its handler.
#[async_trait]
pub trait HttpFunction: Send + Sync {
    async fn handle(&self, path: &str, headers: &HeaderMap, body: &[u8]) -> Reply;
}

/// Serves API Gateway (HTTP API) events with `function`.
pub async fn serve(function: &dyn HttpFunction) -> Result<(), Error> {
    lambda_http::run(service_fn(move |req: Request| async move {
        let reply = answer(function, req.uri().path(), req.headers(), req.body()).await;
        Response::builder()
            .status(reply.status)
            .header("content-type", reply.content_type)
            .body(Body::from(reply.body))
            .map_err(Error::from)
    }))
    .await
}

/// One request: a body over the limit is refused before the handler runs.
async fn answer(
    function: &dyn HttpFunction,
    path: &str,
    headers: &HeaderMap,
    body: &Body,
) -> Reply {
    let body = body.as_ref();
    if body.len() > MAX_BODY_BYTES {
        tracing::warn!(bytes = body.len(), "refused a request body over the limit");
        return Reply::too_large();
    }
    function.handle(path, headers, body).await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait]
    impl HttpFunction for Counting {
        async fn handle(&self, _: &str, _: &HeaderMap, body: &[u8]) -> Reply {
            self.0.fetch_add(1, Ordering::SeqCst);
            Reply::plain(200, &body.len().to_string())
        }
    }

    #[tokio::test]
    async fn a_body_over_the_limit_never_reaches_the_handler() {
        let f = Counting::default();
        let h = HeaderMap::new();
        let at_limit = Body::from(vec![b'a'; MAX_BODY_BYTES]);
        assert_eq!(answer(&f, "/x", &h, &at_limit).await.status, 200);
        let over = Body::from(vec![b'a'; MAX_BODY_BYTES + 1]);
        let refused = answer(&f, "/x", &h, &over).await;
        assert_eq!(
            (refused.status, refused.body.as_str()),
            (413, "the request body is larger than 1 MiB")
        );
        assert_eq!(
            f.0.load(Ordering::SeqCst),
            1,
            "only the body at the limit was handled"
        );
    }
}
