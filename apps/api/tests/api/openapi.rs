//! `GET /openapi.json`: the served contract equals the committed one.

use axum::http::StatusCode;

use crate::helpers::TestApp;

/// The committed `apps/api/openapi.json` is what the web client is generated from; it must
/// equal what the code serves. Regenerate with `UPDATE_OPENAPI=1 cargo test -p api openapi`.
#[tokio::test]
async fn openapi_document_is_served_and_matches_the_committed_snapshot() {
    let app = TestApp::spawn().await;
    let response = app.get("/openapi.json").await;
    assert_eq!(response.status, StatusCode::OK);
    let served = response.json();
    assert_eq!(served["openapi"].as_str().map(|v| &v[..2]), Some("3."));
    assert!(served["paths"]["/healthz"]["get"].is_object());
    assert!(served["components"]["schemas"]["ErrorBody"].is_object());

    let snapshot_path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let rendered = serde_json::to_string_pretty(&served).unwrap() + "\n";
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(snapshot_path, &rendered).unwrap();
    }
    let committed = std::fs::read_to_string(snapshot_path).unwrap_or_default();
    assert!(committed == rendered, "apps/api/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test -p api openapi` and commit it");
}
