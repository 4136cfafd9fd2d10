//! SQL of the orders slice. Every statement is checked against the schema at compile time.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

use super::cursor::Position;
use super::domain::NewOrder;

pub struct OrderRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub status: String,
    pub currency: String,
    pub total_amount: i64,
    pub created_at: DateTime<Utc>,
}

pub struct ItemRow {
    pub sku: String,
    pub qty: i32,
    pub unit_price: i64,
}

pub struct InsertOrder<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub idempotency_key: Uuid,
    pub request_hash: &'a str,
    pub created_at: DateTime<Utc>,
    pub order: &'a NewOrder,
}

/// Inserts the order unless this user already used the idempotency key; `false` then.
/// A concurrent insert with the same key waits on the unique index until the other
/// transaction ends, so exactly one of them creates the order.
pub async fn insert_order(conn: &mut PgConnection, new: &InsertOrder<'_>) -> sqlx::Result<bool> {
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO orders (id, user_id, status, currency, total_amount, idempotency_key, request_hash, created_at)
           VALUES ($1, $2, 'created', $3, $4, $5, $6, $7)
           ON CONFLICT (user_id, idempotency_key) DO NOTHING
           RETURNING id"#,
        new.id,
        new.user_id,
        new.order.currency.as_str(),
        new.order.total_amount,
        new.idempotency_key,
        new.request_hash,
        new.created_at,
    )
    .fetch_optional(&mut *conn)
    .await?;
    if inserted.is_none() {
        return Ok(false);
    }
    // UUIDv7 ids are monotonic within the process, so `ORDER BY id` returns the items in
    // the order the client sent them.
    let ids: Vec<Uuid> = new.order.items.iter().map(|_| Uuid::now_v7()).collect();
    let skus: Vec<String> = new
        .order
        .items
        .iter()
        .map(|item| item.sku.as_str().to_owned())
        .collect();
    let qtys: Vec<i32> = new.order.items.iter().map(|item| item.qty.get()).collect();
    let prices: Vec<i64> = new
        .order
        .items
        .iter()
        .map(|item| item.unit_price.get())
        .collect();
    sqlx::query!(
        r#"INSERT INTO order_items (id, order_id, sku, qty, unit_price)
           SELECT item.id, $2, item.sku, item.qty, item.unit_price
             FROM UNNEST($1::uuid[], $3::text[], $4::int4[], $5::int8[])
               AS item (id, sku, qty, unit_price)"#,
        &ids,
        new.id,
        &skus,
        &qtys,
        &prices,
    )
    .execute(&mut *conn)
    .await?;
    Ok(true)
}

/// The order a user created with an idempotency key, with its request hash.
pub async fn find_by_idempotency_key(
    executor: impl PgExecutor<'_>,
    user_id: Uuid,
    idempotency_key: Uuid,
) -> sqlx::Result<Option<(Uuid, String)>> {
    let row = sqlx::query!(
        "SELECT id, request_hash FROM orders WHERE user_id = $1 AND idempotency_key = $2",
        user_id,
        idempotency_key,
    )
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|row| (row.id, row.request_hash)))
}

/// Writes the event to the outbox in the caller's transaction; the outbox crate owns the
/// table. The message key is the order id, so an order's events stay in order.
pub async fn insert_outbox_event(
    conn: &mut PgConnection,
    envelope: &events::Envelope,
) -> sqlx::Result<()> {
    let order_id = envelope
        .order_id()
        .expect("the orders service writes only order events");
    outbox::insert(
        conn,
        &outbox::NewEvent {
            id: envelope.event_id,
            key: &envelope.message_key(),
            aggregate_type: "order",
            aggregate_id: order_id,
            event_type: envelope.event_type().as_str(),
            payload: &envelope.to_json_value(),
        },
    )
    .await
}

pub async fn find_order(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as!(
        OrderRow,
        "SELECT id, user_id, status, currency, total_amount, created_at FROM orders WHERE id = $1",
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Locks the order row until the transaction ends, so concurrent status changes queue up.
pub async fn lock_order(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as!(
        OrderRow,
        "SELECT id, user_id, status, currency, total_amount, created_at FROM orders WHERE id = $1 FOR UPDATE",
        id,
    )
    .fetch_optional(conn)
    .await
}

pub async fn find_items(conn: &mut PgConnection, order_id: Uuid) -> sqlx::Result<Vec<ItemRow>> {
    sqlx::query_as!(
        ItemRow,
        "SELECT sku, qty, unit_price FROM order_items WHERE order_id = $1 ORDER BY id",
        order_id,
    )
    .fetch_all(conn)
    .await
}

pub async fn set_status(conn: &mut PgConnection, id: Uuid, status: &str) -> sqlx::Result<()> {
    sqlx::query!("UPDATE orders SET status = $2 WHERE id = $1", id, status)
        .execute(conn)
        .await
        .map(drop)
}

pub struct SummaryRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub status: String,
    pub currency: String,
    pub total_amount: i64,
    pub created_at: DateTime<Utc>,
}

/// One user's orders strictly after `before` in `(created_at DESC, id DESC)` order; served
/// by the index `orders_user_keyset_idx`.
pub async fn list_for_user(
    executor: impl PgExecutor<'_>,
    user_id: Uuid,
    status: Option<&str>,
    before: Position,
    limit: i64,
) -> sqlx::Result<Vec<SummaryRow>> {
    sqlx::query_as!(
        SummaryRow,
        r#"SELECT id, user_id, status, currency, total_amount, created_at
             FROM orders
            WHERE user_id = $1
              AND ($2::text IS NULL OR status = $2)
              AND (created_at, id) < ($3, $4)
            ORDER BY created_at DESC, id DESC
            LIMIT $5"#,
        user_id,
        status,
        before.created_at,
        before.id,
        limit,
    )
    .fetch_all(executor)
    .await
}

/// Every user's orders, as [`list_for_user`]; served by `orders_keyset_idx`.
pub async fn list_all(
    executor: impl PgExecutor<'_>,
    status: Option<&str>,
    before: Position,
    limit: i64,
) -> sqlx::Result<Vec<SummaryRow>> {
    sqlx::query_as!(
        SummaryRow,
        r#"SELECT id, user_id, status, currency, total_amount, created_at
             FROM orders
            WHERE ($1::text IS NULL OR status = $1)
              AND (created_at, id) < ($2, $3)
            ORDER BY created_at DESC, id DESC
            LIMIT $4"#,
        status,
        before.created_at,
        before.id,
        limit,
    )
    .fetch_all(executor)
    .await
}
