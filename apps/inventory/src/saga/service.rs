//! The inventory side of the order saga (docs/spec.md#inventory-saga). Each consumed event
//! is handled in ONE transaction that writes the inbox row (its `event_id`), the stock
//! change, the reservation and the reply event in the outbox: a redelivered event finds
//! its inbox row and changes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use events::{
    Envelope, EventPayload, OrderCreated, ShortLine, StockLine, StockRejected, StockReservation,
};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::repo::{self, state};
use crate::events_out;

/// What handling one event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Every line was reserved (`StockReserved`).
    Reserved,
    /// Something was short; nothing was reserved (`StockRejected`).
    Rejected,
    /// A paid order's units left the stock (`StockCommitted`).
    Committed,
    /// A canceled order's hold ended (`StockReleased`).
    Released,
    /// Nothing to do: an order this service never saw (placed before inventory existed),
    /// nothing held any more, or an event type that is not the saga's. Only the inbox row
    /// is written.
    Ignored,
    /// The inbox has this `event_id` already: a redelivery; nothing was written.
    Duplicate,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reserved => "reserved",
            Self::Rejected => "rejected",
            Self::Committed => "committed",
            Self::Released => "released",
            Self::Ignored => "ignored",
            Self::Duplicate => "duplicate",
        }
    }
}

/// Handles one valid event from `orders.events` in one transaction.
#[tracing::instrument(name = "handle event", skip_all, fields(event_id = %envelope.event_id, event_type = %envelope.event_type(), outcome))]
pub async fn handle(db: &PgPool, envelope: &Envelope) -> sqlx::Result<Outcome> {
    let mut tx = db.begin().await?;
    if !repo::mark_processed(&mut tx, envelope.event_id).await? {
        tx.rollback().await?;
        tracing::Span::current().record("outcome", Outcome::Duplicate.as_str());
        return Ok(Outcome::Duplicate);
    }
    let trace_id = envelope.trace_id.as_str();
    let outcome = match &envelope.payload {
        EventPayload::OrderCreated(order) => {
            reserve(&mut tx, order, envelope.occurred_at, trace_id).await?
        }
        EventPayload::OrderPaid(data) => {
            settle(&mut tx, data.order_id, Settle::Commit, trace_id).await?
        }
        EventPayload::OrderCanceled(data) => {
            settle(&mut tx, data.order_id, Settle::Release, trace_id).await?
        }
        _ => Outcome::Ignored,
    };
    tx.commit().await?;
    tracing::Span::current().record("outcome", outcome.as_str());
    Ok(outcome)
}

/// The order's lines as the inventory sees them: one per SKU, quantities summed, sorted by
/// SKU (the order the rows are locked in).
pub fn stock_lines(order: &OrderCreated) -> Vec<StockLine> {
    let mut per_sku: BTreeMap<&str, i64> = BTreeMap::new();
    for item in &order.items {
        *per_sku.entry(item.sku.as_str()).or_default() += i64::from(item.qty);
    }
    per_sku
        .into_iter()
        .map(|(sku, qty)| StockLine {
            sku: sku.to_owned(),
            qty,
        })
        .collect()
}

fn columns(lines: &[StockLine]) -> (Vec<String>, Vec<i64>) {
    lines
        .iter()
        .map(|line| (line.sku.clone(), line.qty))
        .unzip()
}

/// All lines or none: the rows are locked in SKU order, every line is checked, and only
/// when none is short is anything reserved.
#[tracing::instrument(name = "reserve", skip_all, fields(order_id = %order.order_id, lines))]
async fn reserve(
    conn: &mut PgConnection,
    order: &OrderCreated,
    occurred_at: DateTime<Utc>,
    trace_id: &str,
) -> sqlx::Result<Outcome> {
    let lines = stock_lines(order);
    tracing::Span::current().record("lines", lines.len());
    if occurred_at < repo::epoch(conn).await? {
        // Placed before inventory existed (the consumer reads orders.events from the
        // beginning): outside the saga, it holds no stock.
        return Ok(Outcome::Ignored);
    }
    if repo::reservation_for_update(conn, order.order_id)
        .await?
        .is_some()
    {
        // The order was handled under another event id (a re-published OrderCreated).
        return Ok(Outcome::Ignored);
    }
    let (skus, qtys) = columns(&lines);
    let stock: BTreeMap<String, i64> = repo::lock_stock(conn, &skus)
        .await?
        .into_iter()
        .map(|row| (row.sku, row.on_hand - row.reserved))
        .collect();
    let short_lines: Vec<ShortLine> = lines
        .iter()
        .filter_map(|line| {
            // An unknown SKU has nothing available.
            let available = stock.get(&line.sku).copied().unwrap_or(0);
            (available < line.qty).then(|| ShortLine {
                sku: line.sku.clone(),
                requested: line.qty,
                available: available.max(0),
            })
        })
        .collect();

    let (new_state, outcome, payload) = if short_lines.is_empty() {
        repo::reserve(conn, &skus, &qtys).await?;
        let payload = EventPayload::StockReserved(StockReservation {
            order_id: order.order_id,
            items: lines.clone(),
        });
        (state::HELD, Outcome::Reserved, payload)
    } else {
        let payload = EventPayload::StockRejected(StockRejected {
            order_id: order.order_id,
            short_lines,
        });
        (state::REJECTED, Outcome::Rejected, payload)
    };
    if !repo::insert_reservation(conn, order.order_id, new_state, &lines).await? {
        // Inserted concurrently under another event id; this transaction must not count
        // the order twice. Failing it makes the caller retry, and the retry sees the row.
        return Err(sqlx::Error::Protocol(format!(
            "reservation of order {} was inserted concurrently",
            order.order_id
        )));
    }
    events_out::write(conn, trace_id, payload).await?;
    Ok(outcome)
}

#[derive(Debug, Clone, Copy)]
enum Settle {
    /// `OrderPaid`: the held units are sold.
    Commit,
    /// `OrderCanceled`: the held units return.
    Release,
}

#[tracing::instrument(name = "settle", skip(conn, trace_id))]
async fn settle(
    conn: &mut PgConnection,
    order_id: Uuid,
    settle: Settle,
    trace_id: &str,
) -> sqlx::Result<Outcome> {
    let Some(reservation) = repo::reservation_for_update(conn, order_id).await? else {
        return Ok(Outcome::Ignored);
    };
    if reservation.state != state::HELD {
        return Ok(Outcome::Ignored);
    }
    let (skus, qtys) = columns(&reservation.lines);
    repo::lock_stock(conn, &skus).await?;
    let data = StockReservation {
        order_id,
        items: reservation.lines,
    };
    let (next_state, outcome, payload) = match settle {
        Settle::Commit => {
            repo::commit(conn, &skus, &qtys).await?;
            (
                state::COMMITTED,
                Outcome::Committed,
                EventPayload::StockCommitted(data),
            )
        }
        Settle::Release => {
            repo::release(conn, &skus, &qtys).await?;
            (
                state::RELEASED,
                Outcome::Released,
                EventPayload::StockReleased(data),
            )
        }
    };
    repo::set_state(conn, order_id, next_state).await?;
    events_out::write(conn, trace_id, payload).await?;
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    use super::*;
    use events::OrderItem;

    #[test]
    fn lines_are_summed_per_sku_and_sorted() {
        let item = |sku: &str, qty| OrderItem {
            sku: sku.into(),
            qty,
            unit_price: 1,
        };
        let order = OrderCreated {
            order_id: Uuid::nil(),
            user_id: Uuid::nil(),
            currency: "EUR".into(),
            total_amount: 3,
            items: vec![item("BBB", 2), item("AAA", 1), item("BBB", 3)],
        };
        let lines: Vec<(String, i64)> = stock_lines(&order)
            .into_iter()
            .map(|l| (l.sku, l.qty))
            .collect();
        assert_eq!(lines, [("AAA".to_owned(), 1), ("BBB".to_owned(), 5)]);
    }
}
