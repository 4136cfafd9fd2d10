//! `GET /inventory/availability`: any logged-in user.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_user_sees_what_can_be_ordered() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;
    app.inventory().given_stock("AVL-1", 10, 3).await;

    let response = app
        .availability(&user, "sku=AVL-1&sku=AVL-UNKNOWN&sku=AVL-1")
        .await;

    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    assert_eq!(
        response.json(),
        json!({"items": [
            {"sku": "AVL-1", "available": 7},
            {"sku": "AVL-UNKNOWN", "available": 0},
        ]})
    );
}

#[tokio::test]
async fn bad_sku_lists_are_named() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;

    app.availability(&user, "").await.assert_invalid(&["sku"]);
    app.availability(&user, "sku=AVL-1&sku=bad")
        .await
        .assert_invalid(&["sku[1]"]);
    let too_many: Vec<String> = (0..51).map(|i| format!("sku=S{i:03}")).collect();
    app.availability(&user, &too_many.join("&"))
        .await
        .assert_invalid(&["sku"]);
}

#[tokio::test]
async fn anonymous_and_logged_out_callers_are_refused() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;

    app.get("/inventory/availability?sku=AVL-1")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    assert_eq!(app.logout(&user).await.status, StatusCode::NO_CONTENT);
    app.availability(&user, "sku=AVL-1")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
