//! The producing side: a service writes its event in the same transaction as its state.

use sqlx::PgConnection;
use uuid::Uuid;

/// One event to relay. `id` is the event id (consumers de-duplicate by it); `key` is the
/// Kafka message key and the unit of ordering: rows of one key are published in insert
/// order, one at a time (an order id today, a SKU for inventory events).
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    pub id: Uuid,
    pub key: &'a str,
    pub aggregate_type: &'a str,
    pub aggregate_id: Uuid,
    pub event_type: &'a str,
    pub payload: &'a serde_json::Value,
}

/// Inserts the event; call it on the caller's own transaction so the event commits (or
/// not) with the state change it describes. No NOTIFY: relays poll (docs/decisions.md).
///
/// Rows of one key are ordered by insertion (`seq`): writers of one key must serialise
/// their transactions (the orders service locks the order row); the events of two
/// overlapping transactions on one key may go out in either order.
pub async fn insert(conn: &mut PgConnection, event: &NewEvent<'_>) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(event.id)
    .bind(event.key)
    .bind(event.aggregate_type)
    .bind(event.aggregate_id)
    .bind(event.event_type)
    .bind(event.payload)
    .execute(conn)
    .await
    .map(drop)
}
