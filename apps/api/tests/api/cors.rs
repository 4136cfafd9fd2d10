//! CORS: the configured web origin, with credentials, and no other.

use axum::body::Body;
use axum::http::{header, Method, Request};

use crate::helpers::TestApp;

#[tokio::test]
async fn cors_allows_the_configured_origin_only() {
    let app = TestApp::spawn().await;
    let preflight = |origin: &str| {
        Request::builder()
            .method(Method::OPTIONS)
            .uri("/healthz")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
            .body(Body::empty())
            .unwrap()
    };
    let allowed = app.send(preflight("http://localhost:5173")).await;
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(
        allowed.header("access-control-allow-credentials"),
        Some("true")
    );
    let other = app.send(preflight("http://evil.example")).await;
    assert_eq!(other.header("access-control-allow-origin"), None);
}
