//! `order_events`: the audit log, one document per event, insert-only.
//!
//! `{event_id: string (unique), order_id: string, event_type: string, occurred_at: date,
//! data: document}`; `data` is the envelope's `data` object as JSON → BSON (integers stay
//! Int64 where they exceed Int32).

use events::Envelope;
use mongodb::bson::{doc, Document};
use mongodb::error::Error;
use mongodb::{Collection, Database};

use crate::{bson_date, insert_unordered, EventsWritten};

pub const COLLECTION: &str = "order_events";

pub mod fields {
    pub const EVENT_ID: &str = "event_id";
    pub const ORDER_ID: &str = "order_id";
    pub const EVENT_TYPE: &str = "event_type";
    pub const OCCURRED_AT: &str = "occurred_at";
    pub const DATA: &str = "data";
}

pub fn collection(db: &Database) -> Collection<Document> {
    db.collection(COLLECTION)
}

/// The audit document of one event.
pub fn document(envelope: &Envelope) -> Result<Document, Error> {
    let data = mongodb::bson::to_bson(&envelope.to_json_value()["data"])
        .map_err(|err| Error::custom(err.to_string()))?;
    Ok(doc! {
        fields::EVENT_ID: envelope.event_id.to_string(),
        fields::ORDER_ID: envelope.order_id().map(|id| id.to_string()),
        fields::EVENT_TYPE: envelope.event_type().as_str(),
        fields::OCCURRED_AT: bson_date(envelope.occurred_at),
        fields::DATA: data,
    })
}

/// Inserts the events with one unordered bulk insert. Duplicate-key errors (the event is
/// already there) count as written; any other error fails the whole call, and since the
/// insert is idempotent by `event_id`, the caller simply retries it.
pub async fn insert_events(db: &Database, envelopes: &[Envelope]) -> Result<EventsWritten, Error> {
    let documents = envelopes
        .iter()
        .map(document)
        .collect::<Result<Vec<_>, _>>()?;
    insert_unordered(&collection(db), documents).await
}
