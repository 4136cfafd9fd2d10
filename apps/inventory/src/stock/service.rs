//! Stock rules of the HTTP API. Every change writes `StockAdjusted` (key = SKU, actor =
//! the admin) into the outbox in the same transaction.

use events::{AdjustReason, EventPayload, StockAdjusted};
use inventory_api::codes;
use sqlx::PgPool;
use uuid::Uuid;

use super::domain::{OnHand, Sku, StockListing};
use super::repo::{self, StockRow};
use crate::error::{AppError, AppResult};
use crate::events_out;

/// A page and whether another one follows.
pub struct Page {
    pub rows: Vec<StockRow>,
    pub next_cursor: Option<String>,
}

pub async fn list(db: &PgPool, listing: &StockListing) -> AppResult<Page> {
    let after = listing.after.as_ref().map(Sku::as_str);
    // One row more than asked tells whether a next page exists.
    let mut rows = repo::list(db, &listing.prefix, after, listing.limit + 1).await?;
    let next_cursor = if rows.len() as i64 > listing.limit {
        rows.truncate(listing.limit as usize);
        rows.last().map(|row| row.sku.clone())
    } else {
        None
    };
    Ok(Page { rows, next_cursor })
}

pub async fn get(db: &PgPool, sku: &Sku) -> AppResult<StockRow> {
    repo::get(db, sku.as_str())
        .await?
        .ok_or_else(AppError::not_found)
}

#[tracing::instrument(name = "create sku", skip_all, fields(sku = sku.as_str()))]
pub async fn create(
    db: &PgPool,
    sku: &Sku,
    on_hand: OnHand,
    actor_id: Uuid,
    trace_id: &str,
) -> AppResult<StockRow> {
    let mut tx = db.begin().await?;
    let row = repo::insert(&mut tx, sku.as_str(), on_hand.get())
        .await?
        .ok_or_else(|| AppError::conflict(codes::SKU_EXISTS, "this SKU exists already"))?;
    adjusted(&mut tx, &row, AdjustReason::Created, 0, actor_id, trace_id).await?;
    tx.commit().await?;
    metrics::counter!("inventory_stock_adjustments_total", "reason" => "created").increment(1);
    Ok(row)
}

/// Sets `on_hand` absolutely: up is a restock, down (or unchanged) a correction; never
/// below what is reserved.
#[tracing::instrument(name = "set on hand", skip_all, fields(sku = sku.as_str()))]
pub async fn set_on_hand(
    db: &PgPool,
    sku: &Sku,
    on_hand: OnHand,
    actor_id: Uuid,
    trace_id: &str,
) -> AppResult<StockRow> {
    let mut tx = db.begin().await?;
    let current = repo::get_for_update(&mut tx, sku.as_str())
        .await?
        .ok_or_else(AppError::not_found)?;
    if on_hand.get() < current.reserved {
        return Err(AppError::conflict(
            codes::BELOW_RESERVED,
            format!(
                "on_hand cannot go below the {} units reserved by unpaid orders",
                current.reserved
            ),
        ));
    }
    let row = repo::set_on_hand(&mut tx, sku.as_str(), on_hand.get()).await?;
    let reason = if row.on_hand > current.on_hand {
        AdjustReason::Restock
    } else {
        AdjustReason::Correction
    };
    adjusted(&mut tx, &row, reason, current.on_hand, actor_id, trace_id).await?;
    tx.commit().await?;
    let label = if reason == AdjustReason::Restock {
        "restock"
    } else {
        "correction"
    };
    metrics::counter!("inventory_stock_adjustments_total", "reason" => label).increment(1);
    Ok(row)
}

async fn adjusted(
    conn: &mut sqlx::PgConnection,
    row: &StockRow,
    reason: AdjustReason,
    previous_on_hand: i64,
    actor_id: Uuid,
    trace_id: &str,
) -> sqlx::Result<()> {
    let payload = EventPayload::StockAdjusted(StockAdjusted {
        sku: row.sku.clone(),
        reason,
        previous_on_hand,
        on_hand: row.on_hand,
        reserved: row.reserved,
        actor_id,
    });
    events_out::write(conn, trace_id, payload).await.map(drop)
}

/// `(sku, available)` for every SKU asked, in the order asked; unknown SKUs have 0.
pub async fn availability(db: &PgPool, skus: &[Sku]) -> AppResult<Vec<(String, i64)>> {
    let wanted: Vec<String> = skus.iter().map(|sku| sku.as_str().to_owned()).collect();
    let found: std::collections::HashMap<String, i64> =
        repo::available(db, &wanted).await?.into_iter().collect();
    Ok(wanted
        .into_iter()
        .map(|sku| {
            let available = found.get(&sku).copied().unwrap_or(0);
            (sku, available)
        })
        .collect())
}
