//! Writing the service's own events (`Stock*`) into its outbox, in the caller's
//! transaction; the outbox worker relays them to `inventory.events`.

use chrono::Utc;
use events::{Envelope, EventPayload};
use sha2::{Digest, Sha256};
use sqlx::PgConnection;
use uuid::Uuid;

/// The envelope's `producer`.
pub const PRODUCER: &str = "inventory";

/// Aggregate types of the outbox rows (informational).
const AGGREGATE_RESERVATION: &str = "reservation";
const AGGREGATE_STOCK: &str = "stock";

/// Inserts `payload` as a new event with a fresh id; `trace_id` is the request id or the
/// trace id of the event that caused it.
pub async fn write(
    conn: &mut PgConnection,
    trace_id: &str,
    payload: EventPayload,
) -> sqlx::Result<Envelope> {
    let envelope = Envelope::new(Uuid::now_v7(), Utc::now(), PRODUCER, trace_id, payload);
    let (aggregate_type, aggregate_id) = match (&envelope.payload, envelope.order_id()) {
        (EventPayload::StockAdjusted(data), _) => (AGGREGATE_STOCK, sku_aggregate_id(&data.sku)),
        (_, Some(order_id)) => (AGGREGATE_RESERVATION, order_id),
        (_, None) => unreachable!("every event but StockAdjusted names an order"),
    };
    let json = envelope.to_json_value();
    outbox::insert(
        conn,
        &outbox::NewEvent {
            id: envelope.event_id,
            key: &envelope.message_key(),
            aggregate_type,
            aggregate_id,
            event_type: envelope.event_type().as_str(),
            payload: &json,
        },
    )
    .await?;
    Ok(envelope)
}

/// `aggregate_id` is a UUID column; a SKU gets a stable one derived from its SHA-256
/// (a version 8 "custom" UUID), so one SKU's rows share an id.
pub fn sku_aggregate_id(sku: &str) -> Uuid {
    let digest = Sha256::digest(format!("sku:{sku}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sku_aggregate_ids_are_stable_and_distinct() {
        assert_eq!(sku_aggregate_id("SKU-1"), sku_aggregate_id("SKU-1"));
        assert_ne!(sku_aggregate_id("SKU-1"), sku_aggregate_id("SKU-2"));
        assert_eq!(sku_aggregate_id("SKU-1").get_version_num(), 8);
    }
}
