//! `stock_events`: the inventory's audit log, one document per `Stock*` event from
//! `inventory.events`, insert-only.
//!
//! `{event_id: string (unique), key: string (the message key: order id, or SKU for
//! StockAdjusted), skus: [string] (every SKU the event touches), event_type: string,
//! occurred_at: date, data: document}`.

use events::{Envelope, EventPayload, EventType};
use mongodb::bson::{doc, Document};
use mongodb::error::Error;
use mongodb::{Collection, Database};

use crate::{bson_date, insert_unordered, EventsWritten};

pub const COLLECTION: &str = "stock_events";

pub mod fields {
    pub const EVENT_ID: &str = "event_id";
    pub const KEY: &str = "key";
    pub const SKUS: &str = "skus";
    pub const EVENT_TYPE: &str = "event_type";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const DATA: &str = "data";
}

pub fn collection(db: &Database) -> Collection<Document> {
    db.collection(COLLECTION)
}

/// Whether an event of this type belongs in this log (the inventory service's events); any
/// other type on `inventory.events` is dead-lettered rather than mixed into the audit.
pub fn accepts(event_type: EventType) -> bool {
    matches!(
        event_type,
        EventType::StockReserved
            | EventType::StockRejected
            | EventType::StockCommitted
            | EventType::StockReleased
            | EventType::StockAdjusted
    )
}

/// The SKUs an event touches, sorted and unique; a `StockRejected` names its short lines
/// (the only lines it carries).
pub fn skus(payload: &EventPayload) -> Vec<String> {
    let mut skus: Vec<String> = match payload {
        EventPayload::StockReserved(data)
        | EventPayload::StockCommitted(data)
        | EventPayload::StockReleased(data) => {
            data.items.iter().map(|line| line.sku.clone()).collect()
        }
        EventPayload::StockRejected(data) => data
            .short_lines
            .iter()
            .map(|line| line.sku.clone())
            .collect(),
        EventPayload::StockAdjusted(data) => vec![data.sku.clone()],
        EventPayload::OrderCreated(data) => data.items.iter().map(|i| i.sku.clone()).collect(),
        EventPayload::OrderPaid(_) | EventPayload::OrderCanceled(_) => Vec::new(),
    };
    skus.sort();
    skus.dedup();
    skus
}

/// The audit document of one event.
pub fn document(envelope: &Envelope) -> Result<Document, Error> {
    let data = mongodb::bson::to_bson(&envelope.to_json_value()["data"])
        .map_err(|err| Error::custom(err.to_string()))?;
    Ok(doc! {
        fields::EVENT_ID: envelope.event_id.to_string(),
        fields::KEY: envelope.message_key(),
        fields::SKUS: skus(&envelope.payload),
        fields::EVENT_TYPE: envelope.event_type().as_str(),
        fields::OCCURRED_AT: bson_date(envelope.occurred_at),
        fields::DATA: data,
    })
}

/// Inserts the events with one unordered bulk insert; duplicates (a replay) count as
/// written, so the caller simply retries on any other error.
pub async fn insert_stock_events(
    db: &Database,
    envelopes: &[Envelope],
) -> Result<EventsWritten, Error> {
    let documents = envelopes
        .iter()
        .map(document)
        .collect::<Result<Vec<_>, _>>()?;
    insert_unordered(&collection(db), documents).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use events::{
        AdjustReason, ShortLine, StockAdjusted, StockLine, StockRejected, StockReservation,
    };
    use uuid::Uuid;

    fn envelope(payload: EventPayload) -> Envelope {
        Envelope::new(Uuid::new_v4(), Utc::now(), "inventory", "req-1", payload)
    }

    #[test]
    fn a_reservation_is_keyed_by_order_and_lists_its_skus() {
        let order_id = Uuid::new_v4();
        let line = |sku: &str| StockLine {
            sku: sku.into(),
            qty: 1,
        };
        let event = envelope(EventPayload::StockReserved(StockReservation {
            order_id,
            items: vec![line("B"), line("A")],
        }));
        let document = document(&event).unwrap();
        assert_eq!(document.get_str(fields::KEY).unwrap(), order_id.to_string());
        let skus: Vec<_> = document
            .get_array(fields::SKUS)
            .unwrap()
            .iter()
            .map(|sku| sku.as_str().unwrap())
            .collect();
        assert_eq!(skus, ["A", "B"]);
        assert_eq!(
            document.get_str(fields::EVENT_TYPE).unwrap(),
            "StockReserved"
        );
    }

    #[test]
    fn an_adjustment_is_keyed_by_sku_and_a_rejection_names_its_short_lines() {
        let adjusted = envelope(EventPayload::StockAdjusted(StockAdjusted {
            sku: "SKU-9".into(),
            reason: AdjustReason::Restock,
            previous_on_hand: 1,
            on_hand: 5,
            reserved: 0,
            actor_id: Uuid::new_v4(),
        }));
        assert_eq!(
            document(&adjusted).unwrap().get_str(fields::KEY).unwrap(),
            "SKU-9"
        );
        let rejected = EventPayload::StockRejected(StockRejected {
            order_id: Uuid::new_v4(),
            short_lines: vec![ShortLine {
                sku: "SKU-2".into(),
                requested: 3,
                available: 0,
            }],
        });
        assert_eq!(skus(&rejected), ["SKU-2"]);
        assert!(accepts(rejected.event_type()));
        assert!(!accepts(EventType::OrderCreated));
    }
}
