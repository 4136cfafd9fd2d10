//! `POST /inventory/stock`.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_admin_creates_a_sku_with_its_stock() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;

    let response = app
        .create_stock(&admin, &json!({"sku": "API-NEW-1", "on_hand": 7}))
        .await;

    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(
        response.header("location"),
        Some("/inventory/stock/API-NEW-1")
    );
    let body = response.json();
    assert_eq!(body["sku"], "API-NEW-1");
    assert_eq!(
        (&body["on_hand"], &body["reserved"], &body["available"]),
        (&json!(7), &json!(0), &json!(7))
    );
    assert_eq!(app.inventory().stock("API-NEW-1").await, Some((7, 0)));
}

#[tokio::test]
async fn an_existing_sku_is_a_conflict_with_the_services_code() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().given_stock("API-DUP-1", 3, 1).await;

    let response = app
        .create_stock(&admin, &json!({"sku": "API-DUP-1", "on_hand": 9}))
        .await;

    let error = response.assert_error(StatusCode::CONFLICT, "SKU_EXISTS");
    // The api's own request id, not one the service made up.
    assert_eq!(
        error["request_id"].as_str(),
        response.header("x-request-id")
    );
    assert_eq!(app.inventory().stock("API-DUP-1").await, Some((3, 1)));
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_created() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;

    // Checked by the inventory service, passed on with its details.
    app.create_stock(&admin, &json!({"sku": "bad sku", "on_hand": -1}))
        .await
        .assert_invalid(&["sku", "on_hand"]);
    // Not an integer: refused by the api before anything is forwarded.
    app.create_stock(&admin, &json!({"sku": "API-BAD-1", "on_hand": 1.5}))
        .await
        .assert_invalid(&["on_hand"]);
    app.create_stock(&admin, &json!({"sku": "API-BAD-1", "on_hand": "5"}))
        .await
        .assert_invalid(&["on_hand"]);
    app.create_stock(&admin, &json!({"sku": "API-BAD-1"}))
        .await
        .assert_invalid(&["on_hand"]);

    assert_eq!(app.inventory().stock("API-BAD-1").await, None);
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM stock")
        .fetch_one(app.inventory().pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn only_admins_create_stock() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;

    app.create_stock(&user, &json!({"sku": "API-USR-1", "on_hand": 1}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.request(axum::http::Method::POST, "/inventory/stock")
        .json(&json!({"sku": "API-USR-1", "on_hand": 1}))
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    assert_eq!(app.inventory().stock("API-USR-1").await, None);
}

#[tokio::test]
async fn a_logged_out_admin_token_is_refused_by_the_api() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    assert_eq!(app.logout(&admin).await.status, StatusCode::NO_CONTENT);

    // The token still verifies (the inventory service would accept it); the api's
    // denylist refuses it before anything is forwarded.
    app.create_stock(&admin, &json!({"sku": "API-OUT-1", "on_hand": 1}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(app.inventory().stock("API-OUT-1").await, None);
}
