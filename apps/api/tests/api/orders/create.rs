//! `POST /orders`: the order, its items and its outbox event are written together; totals
//! are the server's.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use chrono::{DateTime, Utc};
use events::{Envelope, EventPayload};
use serde_json::{json, Value};
use sqlx::postgres::PgListener;
use uuid::Uuid;

use super::{created_order, order_body, order_count, outbox_rows, uuid_of};
use crate::helpers::TestApp;

#[tokio::test]
async fn creating_an_order_writes_order_items_and_the_outbox_event_together() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let body = json!({"currency": "HUF", "items": [
        {"sku": "SKU-B", "qty": 3, "unit_price": 1999},
        {"sku": "SKU-A", "qty": 1, "unit_price": 0},
        {"sku": "SKU_C-9", "qty": 1000, "unit_price": 10_000_000},
    ]});
    let response = app
        .request(Method::POST, "/orders")
        .bearer(&alice.access_token)
        .idempotency_key(&Uuid::new_v4().to_string())
        .header("x-request-id", "trace-create-1")
        .json(&body)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert!(response.header("idempotent-replayed").is_none());
    let order = response.json();
    let id = uuid_of(&order["id"]);
    assert_eq!(
        response.header("location"),
        Some(format!("/orders/{id}").as_str())
    );
    assert_eq!(order["user_id"], alice.id.to_string());
    assert_eq!(order["status"], "created");
    assert_eq!(order["currency"], "HUF");
    assert_eq!(
        order["items"],
        json!([
            {"sku": "SKU-B", "qty": 3, "unit_price": 1999, "line_total": 5997},
            {"sku": "SKU-A", "qty": 1, "unit_price": 0, "line_total": 0},
            {"sku": "SKU_C-9", "qty": 1000, "unit_price": 10_000_000, "line_total": 10_000_000_000_i64},
        ])
    );
    assert_eq!(order["total_amount"], 10_000_005_997_i64);
    let created_at = order["created_at"].as_str().unwrap();
    assert_eq!(
        created_at.len(),
        "2026-11-25T10:30:05.007Z".len(),
        "{created_at}"
    );
    assert!(created_at.ends_with('Z'));

    let stored: (String, i64, DateTime<Utc>) =
        sqlx::query_as("SELECT status, total_amount, created_at FROM orders WHERE id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.0, "created");
    assert_eq!(stored.1, 10_000_005_997);
    assert_eq!(events::format_rfc3339_millis(&stored.2), created_at);
    let items: i64 = sqlx::query_scalar("SELECT count(*) FROM order_items WHERE order_id = $1")
        .bind(id)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(items, 3);

    let outbox = outbox_rows(&app, id).await;
    assert_eq!(outbox.len(), 1);
    let (event_id, aggregate_type, event_type, payload) = &outbox[0];
    assert_eq!(aggregate_type, "order");
    assert_eq!(event_type, "OrderCreated");
    assert_eq!(payload["event_id"], event_id.to_string());
    assert_eq!(
        payload["occurred_at"], created_at,
        "one timestamp for row and event"
    );
    assert_eq!(payload["trace_id"], "trace-create-1");
    assert_eq!(payload["producer"], "api");
    assert_eq!(payload["version"], 1);
    let envelope = Envelope::from_json_value(payload.clone()).expect("a valid envelope");
    let EventPayload::OrderCreated(data) = envelope.payload else {
        panic!("not OrderCreated: {payload}");
    };
    assert_eq!(data.order_id, id);
    assert_eq!(data.user_id, alice.id);
    assert_eq!(data.currency, "HUF");
    assert_eq!(data.total_amount, 10_000_005_997);
    let skus: Vec<&str> = data.items.iter().map(|i| i.sku.as_str()).collect();
    assert_eq!(skus, ["SKU-B", "SKU-A", "SKU_C-9"]);

    // The snapshot read back from the database is the same as the one returned at creation.
    let read = app.get_order(&alice, id).await;
    assert_eq!(read.status, StatusCode::OK);
    assert_eq!(read.body, response.body);
}

#[tokio::test]
async fn the_outbox_row_is_keyed_by_the_order_and_sends_no_notify() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    // NOTIFY in the order transaction serialised every commit (issue 10): no trigger now.
    let mut listener = PgListener::connect_with(&app.db.pool).await.unwrap();
    listener.listen("outbox_events").await.unwrap();
    let order = created_order(&app, &alice).await;
    let id = uuid_of(&order["id"]);
    let (key, seq): (String, i64) =
        sqlx::query_as("SELECT message_key, seq FROM outbox_events WHERE aggregate_id = $1")
            .bind(id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(key, id.to_string());
    assert!(seq > 0);
    let notification = tokio::time::timeout(Duration::from_millis(500), listener.recv()).await;
    assert!(notification.is_err(), "unexpected {notification:?}");
}

#[tokio::test]
async fn totals_are_computed_by_the_server_even_at_the_maximum() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let items: Vec<Value> = (0..50)
        .map(|i| json!({"sku": format!("MAX-{i:02}"), "qty": 1000, "unit_price": 10_000_000}))
        .collect();
    let response = app
        .create_order(&alice, &json!({"currency": "HUF", "items": items}))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let order = response.json();
    assert_eq!(order["total_amount"], 500_000_000_000_i64);
    for line in order["items"].as_array().unwrap() {
        assert_eq!(line["line_total"], 10_000_000_000_i64);
    }

    // Client-sent totals are not part of the contract and are ignored.
    let body = json!({"currency": "EUR", "total_amount": 1, "items": [
        {"sku": "AAA", "qty": 7, "unit_price": 13, "line_total": 1},
        {"sku": "BBB", "qty": 2, "unit_price": 50},
    ]});
    let order = app.create_order(&alice, &body).await.json();
    assert_eq!(order["items"][0]["line_total"], 91);
    assert_eq!(order["items"][1]["line_total"], 100);
    assert_eq!(order["total_amount"], 191);
}

#[tokio::test]
async fn a_token_of_a_deleted_user_cannot_create_orders() {
    let app = TestApp::spawn().await;
    let ghost = app.user().await;
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(ghost.id)
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.create_order(&ghost, &order_body("SKU-1", 1, 1))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(order_count(&app).await, 0);
}
