//! `PUT /stock/{sku}/on-hand`: an admin sets the counted stock (restock up, correction
//! down), never below what unpaid orders hold.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{created, TestApp};

#[tokio::test]
async fn restock_and_correction_set_on_hand_and_write_events() {
    let app = TestApp::spawn().await;
    app.given_stock("SET-1", 10).await;
    let admin = app.admin_token();

    let response = app
        .put_on_hand(&admin, "SET-1", &json!({"on_hand": 25}))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json()["available"], 25);
    let response = app
        .put_on_hand(&admin, "SET-1", &json!({"on_hand": 4}))
        .await;
    assert_eq!(response.json()["on_hand"], 4);
    assert_eq!(app.stock("SET-1").await, Some((4, 0)));

    let adjustments = app.outbox_of("StockAdjusted").await;
    let summary: Vec<(&str, i64, i64)> = adjustments
        .iter()
        .map(|e| {
            let d = &e["data"];
            (
                d["reason"].as_str().unwrap(),
                d["previous_on_hand"].as_i64().unwrap(),
                d["on_hand"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(summary, [("restock", 10, 25), ("correction", 25, 4)]);
}

#[tokio::test]
async fn below_reserved_is_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    app.given_stock("SET-2", 10).await;
    app.handle(&created(&[("SET-2", 6)])).await;
    let before = app.outbox().await.len();

    let error = app
        .put_on_hand(&app.admin_token(), "SET-2", &json!({"on_hand": 5}))
        .await
        .assert_error(StatusCode::CONFLICT, "BELOW_RESERVED");
    assert!(error["message"].as_str().unwrap().contains('6'));
    assert_eq!(app.stock("SET-2").await, Some((10, 6)));
    assert_eq!(app.outbox().await.len(), before);

    // Exactly the reserved units is fine: nothing left to sell.
    let response = app
        .put_on_hand(&app.admin_token(), "SET-2", &json!({"on_hand": 6}))
        .await;
    assert_eq!(response.json()["available"], 0);
}

#[tokio::test]
async fn unknown_or_malformed_skus_are_404() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    for sku in ["NOPE-1", "lower", "A%20B"] {
        app.put_on_hand(&admin, sku, &json!({"on_hand": 1}))
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    }
}

#[tokio::test]
async fn bad_quantities_and_non_admins_are_refused_and_nothing_changes() {
    let app = TestApp::spawn().await;
    app.given_stock("SET-3", 10).await;
    let admin = app.admin_token();
    for body in [
        json!({"on_hand": -1}),
        json!({"on_hand": 1.5}),
        json!({"on_hand": "7"}),
        json!({"on_hand": 1_000_000_001_i64}),
        json!({"on_hand": null}),
        json!({}),
    ] {
        app.put_on_hand(&admin, "SET-3", &body)
            .await
            .assert_invalid(&["on_hand"]);
    }
    app.put_on_hand(&app.user_token(), "SET-3", &json!({"on_hand": 1}))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.put_on_hand("", "SET-3", &json!({"on_hand": 1}))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(app.stock("SET-3").await, Some((10, 0)));
    assert!(app.outbox().await.is_empty());
}
