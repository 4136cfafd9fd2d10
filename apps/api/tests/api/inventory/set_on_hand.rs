//! `PUT /inventory/stock/{sku}/on-hand`.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_admin_restocks_and_corrects() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().given_stock("API-SET-1", 10, 4).await;

    let restock = app
        .set_on_hand(&admin, "API-SET-1", &json!({"on_hand": 25}))
        .await;
    assert_eq!(restock.status, StatusCode::OK, "{}", restock.text());
    let body = restock.json();
    assert_eq!(
        (&body["on_hand"], &body["reserved"], &body["available"]),
        (&json!(25), &json!(4), &json!(21))
    );

    // Down to exactly what is reserved is allowed.
    let correction = app
        .set_on_hand(&admin, "API-SET-1", &json!({"on_hand": 4}))
        .await;
    assert_eq!(correction.status, StatusCode::OK, "{}", correction.text());
    assert_eq!(app.inventory().stock("API-SET-1").await, Some((4, 4)));
}

#[tokio::test]
async fn below_reserved_is_a_conflict_and_nothing_changes() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().given_stock("API-SET-2", 10, 6).await;

    app.set_on_hand(&admin, "API-SET-2", &json!({"on_hand": 5}))
        .await
        .assert_error(StatusCode::CONFLICT, "BELOW_RESERVED");

    assert_eq!(app.inventory().stock("API-SET-2").await, Some((10, 6)));
}

#[tokio::test]
async fn bad_quantities_are_refused_and_nothing_changes() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().given_stock("API-SET-3", 10, 0).await;

    for bad in [
        json!(-1),
        json!(1.5),
        json!("12"),
        json!(null),
        json!(1_000_000_001),
    ] {
        app.set_on_hand(&admin, "API-SET-3", &json!({ "on_hand": bad }))
            .await
            .assert_invalid(&["on_hand"]);
    }
    app.set_on_hand(&admin, "API-SET-3", &json!({}))
        .await
        .assert_invalid(&["on_hand"]);

    assert_eq!(app.inventory().stock("API-SET-3").await, Some((10, 0)));
}

#[tokio::test]
async fn unknown_and_malformed_skus_are_not_found() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;

    for sku in ["API-NONE-1", "lower", "A%2FB", "X"] {
        app.set_on_hand(&admin, sku, &json!({"on_hand": 1}))
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    }
    assert_eq!(app.inventory().stock("API-NONE-1").await, None);
}

#[tokio::test]
async fn only_admins_set_stock() {
    let app = TestApp::with_inventory().await;
    let user = app.user().await;
    app.inventory().given_stock("API-SET-4", 10, 0).await;

    app.set_on_hand(&user, "API-SET-4", &json!({"on_hand": 99}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.request(
        axum::http::Method::PUT,
        "/inventory/stock/API-SET-4/on-hand",
    )
    .json(&json!({"on_hand": 99}))
    .send()
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    assert_eq!(app.inventory().stock("API-SET-4").await, Some((10, 0)));
}
