//! The orderflow REST API. [`router`] builds the whole application; `main.rs` serves it and
//! the integration tests drive it directly.

pub mod auth;
pub mod config;
pub mod dead_letters;
pub mod error;
pub mod health;
pub mod http;
pub mod inventory;
pub mod live;
pub mod openapi;
pub mod operator_actions;
pub mod orders;
pub mod pipeline;
pub mod state;
pub mod stats;

use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

use crate::http::RequestId;
pub use crate::state::AppState;

/// Request bodies above this are refused with 413 before they are read.
pub const BODY_LIMIT_BYTES: usize = 64 * 1024;
/// Bounds the time to a response's head. A live stream's body (`GET /live/stream`) is not
/// covered: `TimeoutLayer` times the inner service's future, which ends when the handler
/// returns the streaming response; the stream then runs until the client leaves or the
/// hub shuts down.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The routes and their OpenAPI description, before middleware.
pub fn api_routes() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (routes, mut document) = OpenApiRouter::with_openapi(openapi::ApiDoc::openapi())
        .merge(health::routes::router())
        .merge(orders::routes::router())
        .merge(auth::routes::router())
        .merge(stats::routes::router())
        .merge(inventory::routes::router())
        .merge(live::routes::router())
        .merge(pipeline::routes::router())
        .merge(dead_letters::routes::router())
        .merge(operator_actions::routes::router())
        .split_for_parts();
    openapi::finish(&mut document);
    (routes, document)
}

/// The OpenAPI document exactly as `/openapi.json` serves it.
pub fn openapi_document() -> utoipa::openapi::OpenApi {
    api_routes().1
}

/// The whole application: every route, `/metrics`, the docs, and the middleware.
pub fn router(state: AppState) -> Router {
    let (routes, openapi) = api_routes();
    let routes = routes
        .route("/metrics", get(metrics))
        .merge(SwaggerUi::new("/docs").url("/openapi.json", openapi));
    with_middleware(routes, state)
}

/// Applies the middleware every route gets (request id, logs, metrics, security headers,
/// uniform errors, CORS, body limit, timeout). Tests use it to wrap routes of their own.
pub fn with_middleware(routes: Router<AppState>, state: AppState) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::list(state.config.cors_origins.clone()))
        .allow_credentials(true)
        .allow_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            "idempotency-key".parse().unwrap(),
            "x-request-id".parse().unwrap(),
            // `EventSource` sends it when it reconnects to `/live/stream`.
            "last-event-id".parse().unwrap(),
        ])
        .expose_headers([
            "x-request-id".parse().unwrap(),
            "idempotent-replayed".parse().unwrap(),
        ]);

    routes
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .with_state(state)
        // Outermost first: the request id exists before anything logs or fails.
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn(http::middleware::request_id))
                .layer(
                    TraceLayer::new_for_http()
                        .make_span_with(request_span)
                        .on_response(
                            |response: &axum::response::Response,
                             latency: Duration,
                             _span: &tracing::Span| {
                                tracing::info!(
                                    status = response.status().as_u16(),
                                    latency_ms = latency.as_millis() as u64,
                                    "response"
                                );
                            },
                        ),
                )
                .layer(axum::middleware::from_fn(http::middleware::record_metrics))
                .layer(axum::middleware::from_fn(
                    http::middleware::security_headers,
                ))
                .layer(axum::middleware::from_fn(http::middleware::render_errors))
                .layer(CatchPanicLayer::custom(http::middleware::panic_response))
                .layer(cors)
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    REQUEST_TIMEOUT,
                ))
                // sqlx's `begin()` is not cancel-safe: a started request always finishes.
                .layer(axum::middleware::from_fn(platform::http::run_to_completion)),
        )
}

/// The span every log line of a request is emitted in. Only the path is recorded: query
/// strings and headers may carry secrets.
fn request_span(req: &Request) -> tracing::Span {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map_or("", |id| id.0.as_str());
    tracing::info_span!("request", request_id = %request_id, method = %req.method(), path = %req.uri().path())
}

/// Prometheus text exposition of every metric the process records.
async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
