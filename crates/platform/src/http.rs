//! HTTP middleware every service's router shares.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tracing::Instrument;

/// Runs the rest of the request in a task of its own, so that neither a client that hangs
/// up (hyper then drops the request's future) nor the request timeout can stop it halfway.
/// sqlx's `begin()` is not cancel-safe on PostgreSQL: a future dropped during the `BEGIN`
/// round trip sends the connection back to the pool inside an open transaction, where the
/// next borrowers' autocommit writes are acknowledged but never committed
/// (transact-rs/sqlx#4393; reproduced by the api's and the inventory service's
/// `cancellation.rs` tests). A request that started therefore always finishes; its answer
/// to a client that left is discarded. Use it as the innermost layer, below any timeout.
pub async fn run_to_completion(req: Request, next: Next) -> Response {
    let request = tokio::spawn(next.run(req).in_current_span());
    match request.await {
        Ok(response) => response,
        // Re-raised here so that a panic-catching layer above turns it into a uniform 500.
        Err(failed) if failed.is_panic() => std::panic::resume_unwind(failed.into_panic()),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
