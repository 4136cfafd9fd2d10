//! SQL of the `stock` table for the HTTP API.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgExecutor};

/// One row of `stock`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub async fn list(
    db: impl PgExecutor<'_>,
    prefix: &str,
    after: Option<&str>,
    limit: i64,
) -> sqlx::Result<Vec<StockRow>> {
    sqlx::query_as!(
        StockRow,
        "SELECT sku, on_hand, reserved, created_at, updated_at FROM stock
         WHERE starts_with(sku, $1) AND ($2::text IS NULL OR sku > $2)
         ORDER BY sku LIMIT $3",
        prefix,
        after,
        limit
    )
    .fetch_all(db)
    .await
}

pub async fn get(db: impl PgExecutor<'_>, sku: &str) -> sqlx::Result<Option<StockRow>> {
    sqlx::query_as!(
        StockRow,
        "SELECT sku, on_hand, reserved, created_at, updated_at FROM stock WHERE sku = $1",
        sku
    )
    .fetch_optional(db)
    .await
}

/// The row, locked until the transaction ends (the saga waits for an admin's change).
pub async fn get_for_update(conn: &mut PgConnection, sku: &str) -> sqlx::Result<Option<StockRow>> {
    sqlx::query_as!(
        StockRow,
        "SELECT sku, on_hand, reserved, created_at, updated_at FROM stock WHERE sku = $1 FOR UPDATE",
        sku
    )
    .fetch_optional(conn)
    .await
}

/// `None` when the SKU exists already.
pub async fn insert(
    conn: &mut PgConnection,
    sku: &str,
    on_hand: i64,
) -> sqlx::Result<Option<StockRow>> {
    sqlx::query_as!(
        StockRow,
        "INSERT INTO stock (sku, on_hand) VALUES ($1, $2) ON CONFLICT (sku) DO NOTHING
         RETURNING sku, on_hand, reserved, created_at, updated_at",
        sku,
        on_hand
    )
    .fetch_optional(conn)
    .await
}

pub async fn set_on_hand(
    conn: &mut PgConnection,
    sku: &str,
    on_hand: i64,
) -> sqlx::Result<StockRow> {
    sqlx::query_as!(
        StockRow,
        "UPDATE stock SET on_hand = $2, updated_at = now() WHERE sku = $1
         RETURNING sku, on_hand, reserved, created_at, updated_at",
        sku,
        on_hand
    )
    .fetch_one(conn)
    .await
}

/// `(sku, available)` of the SKUs that exist.
pub async fn available(
    db: impl PgExecutor<'_>,
    skus: &[String],
) -> sqlx::Result<Vec<(String, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT sku, on_hand - reserved AS "available!" FROM stock WHERE sku = ANY($1)"#,
        skus
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.sku, row.available))
        .collect())
}
