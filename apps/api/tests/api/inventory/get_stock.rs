//! `GET /inventory/stock/{sku}`.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_admin_reads_one_sku() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().given_stock("API-GET-1", 12, 5).await;

    let response = app.get_stock(&admin, "API-GET-1").await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    assert_eq!(body["sku"], "API-GET-1");
    assert_eq!(
        (&body["on_hand"], &body["reserved"], &body["available"]),
        (&json!(12), &json!(5), &json!(7))
    );
}

#[tokio::test]
async fn unknown_and_malformed_skus_are_not_found() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;

    for sku in ["API-NONE-2", "lower-case", "%E2%82%AC", "AB"] {
        app.get_stock(&admin, sku)
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    }
}

#[tokio::test]
async fn users_and_anonymous_callers_are_refused() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;
    app.inventory().given_stock("API-GET-2", 1, 0).await;

    app.get_stock(&user, "API-GET-2")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.get("/inventory/stock/API-GET-2")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
