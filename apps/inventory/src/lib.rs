//! The inventory service (docs/spec.md#inventory): stock per SKU in its own database, the
//! inventory side of the order saga (consumer of `orders.events`, replies through its own
//! outbox to `inventory.events`), and an internal HTTP API behind the api. `main.rs` wires
//! it to the process; the integration tests drive [`router`] and [`saga`] directly.

pub mod auth;
pub mod config;
pub mod error;
pub mod events_out;
pub mod http;
pub mod outbox_admin;
pub mod saga;
pub mod state;
pub mod stock;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use sqlx::migrate::Migrator;
use sqlx::PgPool;
use tower::ServiceBuilder;
use tower_http::timeout::TimeoutLayer;

pub use config::Config;
pub use state::AppState;

use crate::error::AppError;

/// The inventory database's schema; every migration is reversible.
pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Request bodies above this are refused with 413 before they are read.
pub const BODY_LIMIT_BYTES: usize = 16 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole HTTP application: the stock API, the outbox's operator routes, `/healthz`,
/// `/metrics`, and middleware.
pub fn router(state: AppState) -> Router {
    Router::new()
        .merge(stock::routes::router())
        .merge(outbox_admin::routes::router())
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state)
        // Outermost first: the request id exists before anything logs or fails.
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(http::request_id))
                .layer(axum::middleware::from_fn(http::record_metrics))
                .layer(axum::middleware::from_fn(http::render_errors))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                // sqlx's `begin()` is not cancel-safe: neither a client hanging up nor the
                // timeout may stop a request halfway (platform::http::run_to_completion).
                .layer(axum::middleware::from_fn(platform::http::run_to_completion)),
        )
}

/// Ready when PostgreSQL answers (the consumer's broker is watched by its own lag).
async fn healthz(State(db): State<PgPool>) -> Result<Json<serde_json::Value>, AppError> {
    sqlx::query("SELECT 1").execute(&db).await?;
    Ok(Json(serde_json::json!({"status": "ok"})))
}

/// Prometheus text exposition of every metric the process records.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
