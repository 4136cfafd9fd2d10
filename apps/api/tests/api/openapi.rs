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

/// SKU patterns are literals in derive attributes (which cannot name a constant): every one
/// the document carries must be the rule `crates/events` owns (or its prefix form).
#[test]
fn every_sku_pattern_in_the_document_is_the_events_crate_rule() {
    fn patterns(value: &serde_json::Value, found: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    match (key.as_str(), child.as_str()) {
                        ("pattern", Some(pattern)) => found.push(pattern.to_owned()),
                        _ => patterns(child, found),
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| patterns(v, found)),
            _ => {}
        }
    }
    let document = serde_json::to_value(api::openapi_document()).unwrap();
    let mut found = Vec::new();
    patterns(&document, &mut found);
    let sku_patterns: Vec<_> = found.iter().filter(|p| p.contains("A-Z0-9_-")).collect();
    assert!(
        sku_patterns.len() >= 4,
        "SKU patterns found: {sku_patterns:?}"
    );
    // A SKU prefix (the stock listing's filter) may be shorter than a SKU, down to nothing.
    let prefix_pattern = format!("^[A-Z0-9_-]{{0,{}}}$", events::MAX_SKU_LEN);
    for pattern in sku_patterns {
        assert!(
            pattern == events::SKU_PATTERN || *pattern == prefix_pattern,
            "{pattern} is neither the SKU rule {} nor {prefix_pattern}",
            events::SKU_PATTERN
        );
    }
}
