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
    pub reservation: String,
    pub currency: String,
    pub total_amount: i64,
    pub created_at: DateTime<Utc>,
    /// `StockRejected.short_lines` as applied by the saga; `[]` unless rejected.
    pub short_lines: serde_json::Value,
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
    pub reservation: &'a str,
    pub order: &'a NewOrder,
}

/// What [`insert_order`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    Created,
    /// This user already used the idempotency key: nothing was written.
    KeyUsed,
    /// The user already has `max_unpaid` `created` orders: the caller must roll back.
    TooManyUnpaid,
}

/// Inserts the order unless this user already used the idempotency key. A concurrent
/// insert with the same key waits on the unique index until the other transaction ends, so
/// exactly one of them creates the order. With a `max_unpaid` limit, call
/// [`lock_user_orders`] first: the unpaid count (at most `max_unpaid` index entries) is read
/// in the insert's own snapshot (no extra round trip), which then includes every order of
/// the user committed before the lock was granted. Without a limit nothing is counted.
pub async fn insert_order(
    conn: &mut PgConnection,
    new: &InsertOrder<'_>,
    max_unpaid: Option<i64>,
) -> sqlx::Result<Inserted> {
    let inserted = sqlx::query!(
        r#"INSERT INTO orders (id, user_id, status, reservation, currency, total_amount, idempotency_key, request_hash, created_at)
           VALUES ($1, $2, 'created', $8, $3, $4, $5, $6, $7)
           ON CONFLICT (user_id, idempotency_key) DO NOTHING
           RETURNING id, (SELECT count(*) FROM (
                           SELECT 1 FROM orders WHERE user_id = $2 AND status = 'created' LIMIT $9
                         ) AS unpaid) AS "unpaid_before!""#,
        new.id,
        new.user_id,
        new.order.currency.as_str(),
        new.order.total_amount,
        new.idempotency_key,
        new.request_hash,
        new.created_at,
        new.reservation,
        // LIMIT 0 reads nothing.
        max_unpaid.unwrap_or(0),
    )
    .fetch_optional(&mut *conn)
    .await?;
    match (inserted, max_unpaid) {
        (None, _) => return Ok(Inserted::KeyUsed),
        (Some(row), Some(max)) if row.unpaid_before >= max => return Ok(Inserted::TooManyUnpaid),
        (Some(_), _) => {}
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
    Ok(Inserted::Created)
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
        "SELECT id, user_id, status, reservation, currency, total_amount, created_at, short_lines FROM orders WHERE id = $1",
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Locks the order row until the transaction ends, so concurrent status changes queue up.
pub async fn lock_order(conn: &mut PgConnection, id: Uuid) -> sqlx::Result<Option<OrderRow>> {
    sqlx::query_as!(
        OrderRow,
        "SELECT id, user_id, status, reservation, currency, total_amount, created_at, short_lines FROM orders WHERE id = $1 FOR UPDATE",
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
    pub reservation: String,
    pub currency: String,
    pub total_amount: i64,
    pub created_at: DateTime<Utc>,
}

/// The optional filters of a listing, as stored text.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub status: Option<&'a str>,
    pub reservation: Option<&'a str>,
}

/// One user's orders strictly after `before` in `(created_at DESC, id DESC)` order; served
/// by the index `orders_user_keyset_idx`.
pub async fn list_for_user(
    executor: impl PgExecutor<'_>,
    user_id: Uuid,
    filter: Filter<'_>,
    before: Position,
    limit: i64,
) -> sqlx::Result<Vec<SummaryRow>> {
    sqlx::query_as!(
        SummaryRow,
        r#"SELECT id, user_id, status, reservation, currency, total_amount, created_at
             FROM orders
            WHERE user_id = $1
              AND ($2::text IS NULL OR status = $2)
              AND ($6::text IS NULL OR reservation = $6)
              AND (created_at, id) < ($3, $4)
            ORDER BY created_at DESC, id DESC
            LIMIT $5"#,
        user_id,
        filter.status,
        before.created_at,
        before.id,
        limit,
        filter.reservation,
    )
    .fetch_all(executor)
    .await
}

/// Every user's orders, as [`list_for_user`]; served by `orders_keyset_idx`, or by
/// `orders_reservation_keyset_idx` when filtered by reservation.
pub async fn list_all(
    executor: impl PgExecutor<'_>,
    filter: Filter<'_>,
    before: Position,
    limit: i64,
) -> sqlx::Result<Vec<SummaryRow>> {
    sqlx::query_as!(
        SummaryRow,
        r#"SELECT id, user_id, status, reservation, currency, total_amount, created_at
             FROM orders
            WHERE ($1::text IS NULL OR status = $1)
              AND ($5::text IS NULL OR reservation = $5)
              AND (created_at, id) < ($2, $3)
            ORDER BY created_at DESC, id DESC
            LIMIT $4"#,
        filter.status,
        before.created_at,
        before.id,
        limit,
        filter.reservation,
    )
    .fetch_all(executor)
    .await
}

/// Serializes `POST /orders` per user until the transaction ends, so the unpaid-orders
/// limit cannot be overrun by concurrent requests. A transaction-level advisory lock on
/// the user id: no table row is locked, and other users never wait.
pub async fn lock_user_orders(conn: &mut PgConnection, user_id: Uuid) -> sqlx::Result<()> {
    sqlx::query_scalar!(
        r#"SELECT true AS "locked!" FROM pg_advisory_xact_lock(hashtextextended($1, 0))"#,
        user_id.to_string(),
    )
    .fetch_one(conn)
    .await
    .map(drop)
}

/// Records an inventory event as processed (the orders-side inbox); `false` when it was
/// processed before. A concurrent delivery of the same event waits on the primary key
/// until the first transaction ends.
pub async fn insert_processed_event(conn: &mut PgConnection, event_id: Uuid) -> sqlx::Result<bool> {
    let inserted = sqlx::query_scalar!(
        "INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING event_id",
        event_id,
    )
    .fetch_optional(conn)
    .await?;
    Ok(inserted.is_some())
}

/// Sets the reservation; `stamp_reserved_at` records now as the moment the stock was held.
pub async fn set_reservation(
    conn: &mut PgConnection,
    id: Uuid,
    reservation: &str,
    stamp_reserved_at: bool,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE orders
            SET reservation = $2,
                reserved_at = CASE WHEN $3 THEN now() ELSE reserved_at END
          WHERE id = $1",
        id,
        reservation,
        stamp_reserved_at,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Records which lines a rejected reservation was short of (`StockRejected.short_lines`).
pub async fn set_short_lines(
    conn: &mut PgConnection,
    id: Uuid,
    short_lines: &serde_json::Value,
) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE orders SET short_lines = $2 WHERE id = $1",
        id,
        short_lines,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// Locks up to `limit` unpaid orders whose reservation is older than `ttl_seconds`, oldest
/// first. Rows locked by someone else (a payment in progress) are skipped: whoever holds
/// the lock decides, and the next sweep sees the outcome.
pub async fn lock_expired(
    conn: &mut PgConnection,
    ttl_seconds: f64,
    limit: i64,
) -> sqlx::Result<Vec<OrderRow>> {
    sqlx::query_as!(
        OrderRow,
        r#"SELECT id, user_id, status, reservation, currency, total_amount, created_at, short_lines
             FROM orders
            WHERE status = 'created' AND reservation = 'reserved'
              AND reserved_at < now() - make_interval(secs => $1)
            ORDER BY reserved_at
            LIMIT $2
              FOR UPDATE SKIP LOCKED"#,
        ttl_seconds,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// Cancels the given orders (already locked by [`lock_expired`]).
pub async fn cancel_orders(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE orders SET status = 'canceled' WHERE id = ANY($1)",
        ids
    )
    .execute(conn)
    .await
    .map(drop)
}
