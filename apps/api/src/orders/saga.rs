//! The orders side of the inventory saga (docs/spec.md#order-reservation): applying the
//! inventory service's replies to orders, and expiring unpaid reservations. The
//! `order-saga` process runs these; they live here so the rules and the SQL of orders stay
//! in one crate, and the api's tests apply real replies through the same code.

use std::time::Duration;

use events::{CancelReason, Envelope, EventPayload, OrderStatusChanged, ShortLine};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::domain::OrderStatus;
use super::reservation::{Reservation, StockReply};
use super::service::{now_millis, parse_stored};
use super::{cache, repo};
use crate::state::Redis;

/// The `producer` of the events the saga writes (cancellations).
pub const PRODUCER: &str = "order-saga";

/// What applying one inventory event did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The event was applied before (the inbox has it): nothing changed.
    Duplicate,
    /// Not a reply about an order's reservation (`StockAdjusted`, order events).
    Ignored,
    /// The order's reservation moved; `canceled` when the order was canceled with it.
    Changed {
        order_id: Uuid,
        from: Reservation,
        to: Reservation,
        canceled: bool,
    },
    /// The reply does not apply (unknown order, or a state that does not expect it). It
    /// is recorded as processed so a redelivery is skipped too.
    Skipped { order_id: Uuid, reason: String },
}

/// The order and the reply an event is about; a rejection also says which lines were short.
fn reply_of(payload: &EventPayload) -> Option<(Uuid, StockReply, &[ShortLine])> {
    match payload {
        EventPayload::StockReserved(data) => Some((data.order_id, StockReply::Reserved, &[])),
        EventPayload::StockRejected(data) => {
            Some((data.order_id, StockReply::Rejected, &data.short_lines))
        }
        EventPayload::StockCommitted(data) => Some((data.order_id, StockReply::Committed, &[])),
        EventPayload::StockReleased(data) => Some((data.order_id, StockReply::Released, &[])),
        _ => None,
    }
}

/// Applies one event of `inventory.events` in one transaction: the inbox row, the
/// reservation change and, when a rejection cancels an unpaid order, its `OrderCanceled`
/// (reason `out_of_stock`) in the outbox. The cached snapshot is dropped after the commit.
/// Errors are the database's only; the caller retries them.
pub async fn apply_inventory_event(
    db: &PgPool,
    redis: &Redis,
    envelope: &Envelope,
) -> sqlx::Result<Applied> {
    let Some((order_id, reply, short_lines)) = reply_of(&envelope.payload) else {
        return Ok(Applied::Ignored);
    };
    let mut tx = db.begin().await?;
    if !repo::insert_processed_event(&mut tx, envelope.event_id).await? {
        tx.rollback().await?;
        return Ok(Applied::Duplicate);
    }
    let applied = apply_reply(&mut tx, order_id, reply, short_lines, &envelope.trace_id).await?;
    tx.commit().await?;
    if matches!(applied, Applied::Changed { .. }) {
        cache::invalidate(redis, order_id).await;
    }
    Ok(applied)
}

async fn apply_reply(
    conn: &mut PgConnection,
    order_id: Uuid,
    reply: StockReply,
    short_lines: &[ShortLine],
    trace_id: &str,
) -> sqlx::Result<Applied> {
    let Some(row) = repo::lock_order(conn, order_id).await? else {
        return Ok(Applied::Skipped {
            order_id,
            reason: "unknown order".to_owned(),
        });
    };
    let (from, status) = match (
        parse_stored::<Reservation>(&row.reservation),
        parse_stored::<OrderStatus>(&row.status),
    ) {
        (Ok(from), Ok(status)) => (from, status),
        (Err(err), _) | (_, Err(err)) => {
            return Ok(Applied::Skipped {
                order_id,
                reason: err.to_string(),
            })
        }
    };
    let Some(to) = from.apply(reply) else {
        return Ok(Applied::Skipped {
            order_id,
            reason: format!("{reply:?} does not apply to reservation {from}"),
        });
    };
    repo::set_reservation(conn, order_id, to.as_str(), to == Reservation::Reserved).await?;
    if to == Reservation::Rejected {
        let stored = serde_json::to_value(short_lines).expect("short lines are plain JSON");
        repo::set_short_lines(conn, order_id, &stored).await?;
    }
    // A rejected order cannot be fulfilled: cancel it unless it already left `created`
    // (the user canceled it first; it cannot have been paid while pending).
    let canceled = to == Reservation::Rejected && status == OrderStatus::Created;
    if canceled {
        cancel(conn, &row, CancelReason::OutOfStock, trace_id).await?;
    }
    Ok(Applied::Changed {
        order_id,
        from,
        to,
        canceled,
    })
}

/// Cancels a locked `created` order and writes its `OrderCanceled` to the outbox.
async fn cancel(
    conn: &mut PgConnection,
    row: &repo::OrderRow,
    reason: CancelReason,
    trace_id: &str,
) -> sqlx::Result<()> {
    repo::cancel_orders(conn, &[row.id]).await?;
    write_canceled(conn, row, reason, trace_id).await
}

async fn write_canceled(
    conn: &mut PgConnection,
    row: &repo::OrderRow,
    reason: CancelReason,
    trace_id: &str,
) -> sqlx::Result<()> {
    let envelope = Envelope::new(
        Uuid::now_v7(),
        now_millis(),
        PRODUCER,
        trace_id,
        EventPayload::OrderCanceled(OrderStatusChanged {
            order_id: row.id,
            user_id: row.user_id,
            total_amount: row.total_amount,
            currency: row.currency.clone(),
            reason: Some(reason),
        }),
    );
    repo::insert_outbox_event(conn, &envelope).await
}

/// Cancels, in one transaction, up to `batch` unpaid orders whose reservation is older than
/// `ttl`, each with an `OrderCanceled` (reason `reservation_expired`); the inventory service
/// then releases their stock. Orders locked by a concurrent payment are left to the next
/// sweep, so a payment and an expiry never both win. Returns the ids canceled.
pub async fn expire_reservations(
    db: &PgPool,
    redis: &Redis,
    ttl: Duration,
    batch: i64,
) -> sqlx::Result<Vec<Uuid>> {
    let mut tx = db.begin().await?;
    let rows = repo::lock_expired(&mut tx, ttl.as_secs_f64(), batch).await?;
    if rows.is_empty() {
        tx.rollback().await?;
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = rows.iter().map(|row| row.id).collect();
    repo::cancel_orders(&mut tx, &ids).await?;
    let trace_id = format!("expiry-{}", Uuid::now_v7());
    for row in &rows {
        write_canceled(&mut tx, row, CancelReason::ReservationExpired, &trace_id).await?;
    }
    tx.commit().await?;
    for id in &ids {
        cache::invalidate(redis, *id).await;
    }
    Ok(ids)
}
