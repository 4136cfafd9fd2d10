//! The operations endpoint of the background services: `/metrics` (Prometheus text) and
//! `/healthz`, on their own address beside the work they do.

use std::net::SocketAddr;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

pub fn router() -> Router {
    let handle = crate::telemetry::prometheus();
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let rendered = handle.render();
                async move {
                    (
                        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
                        rendered,
                    )
                }
            }),
        )
        .route("/healthz", get(|| async { "ok".into_response() }))
}

pub async fn serve(
    addr: SocketAddr,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "serving /metrics and /healthz");
    axum::serve(listener, router())
        .with_graceful_shutdown(shutdown)
        .await
}
