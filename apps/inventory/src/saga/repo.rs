//! SQL of the saga: the inbox, reservations, and the stock rows they move.

use chrono::{DateTime, Utc};
use events::StockLine;
use sqlx::types::Json;
use sqlx::PgConnection;
use uuid::Uuid;

/// Records the event as processed; `false` when it was already (a redelivery).
pub async fn mark_processed(conn: &mut PgConnection, event_id: Uuid) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "INSERT INTO processed_events (event_id) VALUES ($1) ON CONFLICT (event_id) DO NOTHING",
        event_id
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// When the inventory began (`saga_epoch`, written by the first migration).
pub async fn epoch(conn: &mut PgConnection) -> sqlx::Result<DateTime<Utc>> {
    sqlx::query_scalar!("SELECT started_at FROM saga_epoch")
        .fetch_one(conn)
        .await
}

/// A stock row as the saga sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedStock {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
}

/// Locks the rows of `skus` that exist, always in SKU order: two transactions that need
/// the same SKUs take their locks in the same order and so cannot deadlock.
pub async fn lock_stock(
    conn: &mut PgConnection,
    skus: &[String],
) -> sqlx::Result<Vec<LockedStock>> {
    sqlx::query_as!(
        LockedStock,
        "SELECT sku, on_hand, reserved FROM stock WHERE sku = ANY($1) ORDER BY sku FOR UPDATE",
        skus
    )
    .fetch_all(conn)
    .await
}

/// `reserved += qty` per line (rows locked by [`lock_stock`] first).
pub async fn reserve(conn: &mut PgConnection, skus: &[String], qtys: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE stock SET reserved = stock.reserved + line.qty, updated_at = now()
         FROM unnest($1::text[], $2::int8[]) AS line(sku, qty) WHERE stock.sku = line.sku",
        skus,
        qtys
    )
    .execute(conn)
    .await
    .map(drop)
}

/// `reserved -= qty` per line: the hold ends without a sale.
pub async fn release(conn: &mut PgConnection, skus: &[String], qtys: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE stock SET reserved = stock.reserved - line.qty, updated_at = now()
         FROM unnest($1::text[], $2::int8[]) AS line(sku, qty) WHERE stock.sku = line.sku",
        skus,
        qtys
    )
    .execute(conn)
    .await
    .map(drop)
}

/// `on_hand -= qty` and `reserved -= qty` per line: the units are sold.
pub async fn commit(conn: &mut PgConnection, skus: &[String], qtys: &[i64]) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE stock SET on_hand = stock.on_hand - line.qty, reserved = stock.reserved - line.qty,
                          updated_at = now()
         FROM unnest($1::text[], $2::int8[]) AS line(sku, qty) WHERE stock.sku = line.sku",
        skus,
        qtys
    )
    .execute(conn)
    .await
    .map(drop)
}

/// States of a reservation (the `reservations.state` column).
pub mod state {
    pub const HELD: &str = "held";
    pub const REJECTED: &str = "rejected";
    pub const COMMITTED: &str = "committed";
    pub const RELEASED: &str = "released";
}

pub struct Reservation {
    pub state: String,
    pub lines: Vec<StockLine>,
}

pub async fn insert_reservation(
    conn: &mut PgConnection,
    order_id: Uuid,
    state: &str,
    lines: &[StockLine],
) -> sqlx::Result<bool> {
    let result = sqlx::query!(
        "INSERT INTO reservations (order_id, state, lines) VALUES ($1, $2, $3)
         ON CONFLICT (order_id) DO NOTHING",
        order_id,
        state,
        Json(lines) as _
    )
    .execute(conn)
    .await?;
    Ok(result.rows_affected() == 1)
}

/// The order's reservation, locked until the transaction ends.
pub async fn reservation_for_update(
    conn: &mut PgConnection,
    order_id: Uuid,
) -> sqlx::Result<Option<Reservation>> {
    let row = sqlx::query!(
        r#"SELECT state, lines AS "lines: Json<Vec<StockLine>>" FROM reservations
           WHERE order_id = $1 FOR UPDATE"#,
        order_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| Reservation {
        state: row.state,
        lines: row.lines.0,
    }))
}

pub async fn set_state(conn: &mut PgConnection, order_id: Uuid, state: &str) -> sqlx::Result<()> {
    sqlx::query!(
        "UPDATE reservations SET state = $2, updated_at = now() WHERE order_id = $1",
        order_id,
        state
    )
    .execute(conn)
    .await
    .map(drop)
}
