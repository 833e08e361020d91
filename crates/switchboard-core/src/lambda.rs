//! The Lambda side of every HTTP function: its edge's router, run on API
//! Gateway (HTTP API) events.

use lambda_http::Error;

use crate::edge::Edge;

/// Serves API Gateway (HTTP API) events with the function's routes.
pub async fn serve(edge: Edge) -> Result<(), Error> {
    lambda_http::run(edge.into_router()).await
}
