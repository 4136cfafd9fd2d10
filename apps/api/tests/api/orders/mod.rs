//! Orders (docs/spec.md#orders): validation at every bound, idempotency under concurrency, the
//! transactional outbox, keyset pagination, cache-aside and authorization; one module per
//! endpoint or concern, sharing the helpers below.

mod admin_list;
mod cache;
mod create;
mod get;
mod idempotency;
mod list;
mod reservation;
mod reservation_filter;
mod status;
mod unpaid_limit;
mod validation;

use axum::http::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};

/// An order of `who` (two of `SKU-1` at 150), created through the API.
async fn created_order(app: &TestApp, who: &TestUser) -> Value {
    let response = app.create_order(who, &order_body("SKU-1", 2, 150)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    response.json()
}

/// An order of `who` whose stock the inventory reserved: payable.
async fn reserved_order(app: &TestApp, who: &TestUser) -> Value {
    let order = created_order(app, who).await;
    let applied = app.reserve(order["id"].as_str().unwrap()).await;
    assert!(
        matches!(applied, api::orders::saga::Applied::Changed { .. }),
        "{applied:?}"
    );
    order
}

fn order_body(sku: &str, qty: i64, unit_price: i64) -> Value {
    json!({"currency": "EUR", "items": [{"sku": sku, "qty": qty, "unit_price": unit_price}]})
}

async fn outbox_rows(app: &TestApp, order_id: Uuid) -> Vec<(Uuid, String, String, Value)> {
    sqlx::query_as(
        "SELECT id, aggregate_type, event_type, payload_json FROM outbox_events
          WHERE aggregate_id = $1 ORDER BY created_at, id",
    )
    .bind(order_id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

async fn order_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM orders")
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

fn uuid_of(value: &Value) -> Uuid {
    Uuid::parse_str(value.as_str().unwrap()).unwrap()
}

/// Inserts `count` orders directly, an hour old, several sharing each millisecond so that
/// the id tie-break is exercised; every fourth is `paid`.
async fn insert_old_orders(app: &TestApp, user: Uuid, count: i32) {
    sqlx::query(
        "INSERT INTO orders (id, user_id, status, currency, total_amount, idempotency_key, request_hash, created_at)
         SELECT gen_random_uuid(), $1, CASE WHEN n % 4 = 0 THEN 'paid' ELSE 'created' END, 'EUR', n,
                gen_random_uuid(), 'seed', date_trunc('milliseconds', now()) - interval '1 hour' - (n / 3) * interval '1 millisecond'
           FROM generate_series(1, $2) AS n",
    )
    .bind(user)
    .bind(count)
    .execute(&app.db.pool)
    .await
    .unwrap();
}

async fn ids_newest_first(app: &TestApp, user: Uuid, status: Option<&str>) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT id::text FROM orders WHERE user_id = $1 AND ($2::text IS NULL OR status = $2)
          ORDER BY created_at DESC, id DESC",
    )
    .bind(user)
    .bind(status)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// Walks every page of `path` (which has a query string), creating a new order before
/// each page; returns the ids in the order the pages listed them.
async fn walk_pages(
    app: &TestApp,
    path: &str,
    who: &TestUser,
    while_inserting: Option<&TestUser>,
) -> Vec<String> {
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..200 {
        if let Some(writer) = while_inserting {
            created_order(app, writer).await;
        }
        let page_path = match &cursor {
            Some(cursor) => format!("{path}&cursor={cursor}"),
            None => path.to_owned(),
        };
        let response = app.get_as(who, &page_path).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        let page = response.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|item| item["id"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return seen,
        }
    }
    panic!("pagination did not end");
}
