//! `GET /metrics`: Prometheus text with request counts and latencies per route.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn metrics_count_requests_by_route_and_status() {
    let app = TestApp::spawn().await;
    app.get("/healthz").await;
    app.get("/definitely/unknown").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status, StatusCode::OK);
    assert!(metrics
        .header("content-type")
        .unwrap()
        .starts_with("text/plain"));
    let text = metrics.text();
    assert!(
        text.lines().any(|l| l.starts_with("http_requests_total{")
            && l.contains(r#"route="/healthz""#)
            && l.contains(r#"method="GET""#)),
        "{text}"
    );
    assert!(
        text.contains(r#"route="unmatched""#) && text.contains(r#"status="404""#),
        "unknown paths share one label"
    );
    assert!(
        text.contains("http_request_duration_seconds_bucket{"),
        "latency histogram"
    );
}
