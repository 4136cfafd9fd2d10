//! `POST /stock`: admins create a SKU with its initial stock; a `StockAdjusted` (reason
//! `created`) goes into the outbox with it.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn an_admin_creates_a_sku_and_the_change_is_an_event() {
    let app = TestApp::spawn().await;
    let response = app
        .post_stock(
            &app.admin_token(),
            &json!({"sku": "NEW-SKU", "on_hand": 40}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED);
    let body = response.json();
    assert_eq!(
        (
            &body["sku"],
            &body["on_hand"],
            &body["reserved"],
            &body["available"]
        ),
        (&json!("NEW-SKU"), &json!(40), &json!(0), &json!(40))
    );
    assert_eq!(app.stock("NEW-SKU").await, Some((40, 0)));

    let outbox = app.outbox().await;
    assert_eq!(outbox.len(), 1);
    let (key, event_type, event) = &outbox[0];
    assert_eq!(
        (key.as_str(), event_type.as_str()),
        ("NEW-SKU", "StockAdjusted")
    );
    assert_eq!(event["data"]["reason"], "created");
    assert_eq!(event["data"]["previous_on_hand"], 0);
    assert_eq!(event["data"]["on_hand"], 40);
    assert!(event["data"]["actor_id"].as_str().is_some());
    assert!(events::Envelope::from_json_value(event.clone()).is_ok());
}

#[tokio::test]
async fn an_existing_sku_is_a_conflict_and_stays_unchanged() {
    let app = TestApp::spawn().await;
    app.given_stock("DUP-SKU", 7).await;
    app.post_stock(&app.admin_token(), &json!({"sku": "DUP-SKU", "on_hand": 1}))
        .await
        .assert_error(StatusCode::CONFLICT, "SKU_EXISTS");
    assert_eq!(app.stock("DUP-SKU").await, Some((7, 0)));
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn bad_input_is_422_naming_the_field_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    for (body, fields) in [
        (json!({"sku": "OK-SKU", "on_hand": -1}), vec!["on_hand"]),
        (
            json!({"sku": "OK-SKU", "on_hand": 1_000_000_001}),
            vec!["on_hand"],
        ),
        (json!({"sku": "OK-SKU", "on_hand": 2.5}), vec!["on_hand"]),
        (json!({"sku": "OK-SKU", "on_hand": "3"}), vec!["on_hand"]),
        (json!({"sku": "bad sku", "on_hand": 1}), vec!["sku"]),
        (json!({"sku": "x", "on_hand": -5}), vec!["sku", "on_hand"]),
        (json!({"on_hand": 1}), vec!["sku"]),
        (json!([1, 2]), vec!["body"]),
    ] {
        app.post_stock(&admin, &body).await.assert_invalid(&fields);
    }
    app.request(Method::POST, "/stock")
        .bearer(&admin)
        .body(Some("application/json"), "{not json")
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "MALFORMED_JSON");
    app.request(Method::POST, "/stock")
        .bearer(&admin)
        .body(Some("text/plain"), "{}")
        .send()
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM stock")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);
    assert!(app.outbox().await.is_empty());
}

#[tokio::test]
async fn only_admins_create_skus() {
    let app = TestApp::spawn().await;
    let body = json!({"sku": "AUTH-SKU", "on_hand": 1});
    app.request(Method::POST, "/stock")
        .json(&body)
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.post_stock("not-a-token", &body)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.post_stock(&app.user_token(), &body)
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    assert_eq!(app.stock("AUTH-SKU").await, None);
}
