//! PostgreSQL unreachable: the API answers 503 `SERVICE_UNAVAILABLE` with `Retry-After`,
//! and `/healthz` says so; operations endpoints and errors keep the uniform shape.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use testkit::TestDb;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_unreachable_database_is_503_with_retry_after() {
    let nothing_listens = format!(
        "postgres://orderflow@127.0.0.1:{}/inventory",
        testkit::free_port()
    );
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy(&nothing_listens)
        .unwrap();
    let app = TestApp::with_pool(pool, TestDb::empty().await);

    for response in [
        app.get_as("/availability?sku=OUT-1", &app.user_token())
            .await,
        app.post_stock(&app.admin_token(), &json!({"sku": "OUT-1", "on_hand": 1}))
            .await,
        app.request(Method::GET, "/healthz").send().await,
    ] {
        response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
        assert_eq!(response.header("retry-after"), Some("2"));
    }
}

#[tokio::test]
async fn health_metrics_and_unknown_routes() {
    let app = TestApp::spawn().await;
    let health = app.request(Method::GET, "/healthz").send().await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");

    app.get_as("/availability?sku=MET-1", &app.user_token())
        .await;
    let metrics = app.request(Method::GET, "/metrics").send().await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(String::from_utf8_lossy(&metrics.body).contains("http_requests_total"));

    let missing = app
        .request(Method::GET, "/nowhere")
        .header("x-request-id", "req-42")
        .send()
        .await;
    let error = missing.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    assert_eq!(error["request_id"], "req-42");
    assert_eq!(missing.header("x-request-id"), Some("req-42"));
    app.request(Method::DELETE, "/stock")
        .send()
        .await
        .assert_error(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED");
}
