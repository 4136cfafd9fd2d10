//! `Idempotency-Key`: required, per user, and a retry replays the original order byte for
//! byte, even when a hundred retries race.

use std::collections::HashSet;

use axum::http::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use super::{order_body, order_count, outbox_rows, uuid_of};
use crate::helpers::{send, TestApp};

#[tokio::test]
async fn idempotency_key_is_required_and_replays_the_original_order() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let bob = app.user().await;
    let body = json!({"currency": "EUR", "items": [
        {"sku": "SKU-1", "qty": 2, "unit_price": 150},
        {"sku": "SKU-2", "qty": 1, "unit_price": 99},
    ]});

    app.request(Method::POST, "/orders")
        .bearer(&alice.access_token)
        .json(&body)
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "IDEMPOTENCY_KEY_REQUIRED");
    for malformed in [
        "not-a-uuid",
        "",
        "1234",
        "g0000000-0000-0000-0000-000000000000",
    ] {
        app.create_order_with_key(&alice, malformed, &body)
            .await
            .assert_invalid(&["Idempotency-Key"]);
    }
    assert_eq!(order_count(&app).await, 0);

    let key = Uuid::new_v4().to_string();
    let first = app.create_order_with_key(&alice, &key, &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let order_id = uuid_of(&first.json()["id"]);

    // The same request, formatted differently: the same order, byte for byte.
    let reformatted = r#"{ "items": [ {"unit_price": 150, "qty": 2, "sku": "SKU-1"},
        {"sku": "SKU-2", "unit_price": 99, "qty": 1} ], "currency": "EUR" }"#;
    let replay = app
        .request(Method::POST, "/orders")
        .bearer(&alice.access_token)
        .idempotency_key(&key)
        .json_text(reformatted)
        .send()
        .await;
    assert_eq!(replay.status, StatusCode::OK);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    assert_eq!(replay.body, first.body, "replay body is byte-identical");

    // The same key with another payload is refused, also when only the item order differs.
    let changed =
        json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 3, "unit_price": 150}]});
    let swapped = json!({"currency": "EUR", "items": [
        {"sku": "SKU-2", "qty": 1, "unit_price": 99},
        {"sku": "SKU-1", "qty": 2, "unit_price": 150},
    ]});
    for other in [changed, swapped] {
        app.create_order_with_key(&alice, &key, &other)
            .await
            .assert_error(StatusCode::CONFLICT, "IDEMPOTENCY_KEY_REUSED");
    }
    // An invalid body is a 422 before the key is looked at.
    app.create_order_with_key(&alice, &key, &order_body("x", 1, 1))
        .await
        .assert_invalid(&["items[0].sku"]);

    // Keys are per user: the same key is a new order for someone else.
    let bobs = app.create_order_with_key(&bob, &key, &body).await;
    assert_eq!(bobs.status, StatusCode::CREATED);
    assert_ne!(uuid_of(&bobs.json()["id"]), order_id);

    assert_eq!(order_count(&app).await, 2);
    assert_eq!(outbox_rows(&app, order_id).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_create_exactly_one_order() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let key = Uuid::new_v4().to_string();
    let body = order_body("RACE-1", 5, 200);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let router = app.router.clone();
            let request = app
                .request(Method::POST, "/orders")
                .bearer(&alice.access_token)
                .idempotency_key(&key)
                .json(&body)
                .build();
            tokio::spawn(async move { send(&router, request).await })
        })
        .collect();
    let mut ids = HashSet::new();
    let mut bodies = HashSet::new();
    let mut created = 0;
    for task in tasks {
        let response = task.await.unwrap();
        match response.status {
            StatusCode::CREATED => created += 1,
            StatusCode::OK => assert_eq!(response.header("idempotent-replayed"), Some("true")),
            other => panic!("unexpected {other}: {}", response.text()),
        }
        ids.insert(response.json()["id"].as_str().unwrap().to_owned());
        bodies.insert(response.body);
    }
    assert_eq!(created, 1, "exactly one request creates");
    assert_eq!(ids.len(), 1, "every response names the same order");
    assert_eq!(bodies.len(), 1, "every response has the same body");
    assert_eq!(order_count(&app).await, 1);
    let outbox: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(outbox, 1);
}
