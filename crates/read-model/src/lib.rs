//! The MongoDB read model (docs/spec.md#read-model) and everything both sides of it must agree on.
//!
//! - `order_events`: the insert-only audit log, one document per event ([`order_events`]).
//! - `stock_events`: the inventory's audit log, one document per `Stock*` event
//!   ([`stock_events`]).
//! - `sku_stats`: per-SKU, per-currency, per-minute sales, upserted from the stream job's
//!   topic `orders.sku-stats` ([`sku_stats`], message shape in [`message`]).
//!
//! The projector writes with the bulk functions here, the api reads with the query
//! functions here, and [`ensure_indexes`] creates (and migrates) the indexes: no collection
//! or field name is spelled anywhere else.

pub mod indexes;
pub mod message;
pub mod order_events;
pub mod sku_stats;
pub mod stock_events;

use mongodb::bson::DateTime as BsonDateTime;
use mongodb::bson::Document;
use mongodb::error::{Error, ErrorKind, WriteFailure};
use mongodb::{Client, Collection, Database};

pub use indexes::ensure_indexes;
pub use message::{parse_sku_stat_message, SkuStatMessageError};
pub use order_events::insert_events;
pub use sku_stats::{SkuStat, SkuStatKey, SkuTotal, StatsRange};
pub use stock_events::insert_stock_events;

/// The database used when `MONGODB_URL` names none.
pub const DEFAULT_DATABASE: &str = "orderflow";
/// MongoDB's duplicate-key error code (unique index violation).
pub const DUPLICATE_KEY: i32 = 11000;

/// The read model's database for a client: the URL's path, else [`DEFAULT_DATABASE`].
pub fn database(client: &Client) -> Database {
    client
        .default_database()
        .unwrap_or_else(|| client.database(DEFAULT_DATABASE))
}

/// Whether `err` is a single write's duplicate-key error.
pub fn is_duplicate_key(err: &mongodb::error::Error) -> bool {
    matches!(
        err.kind.as_ref(),
        ErrorKind::Write(WriteFailure::WriteError(write_error)) if write_error.code == DUPLICATE_KEY
    )
}

/// BSON dates have millisecond precision, like every timestamp the platform writes.
pub fn bson_date(at: chrono::DateTime<chrono::Utc>) -> BsonDateTime {
    BsonDateTime::from_millis(at.timestamp_millis())
}

fn from_bson_date(at: BsonDateTime) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::from_timestamp_millis(at.timestamp_millis())
}

/// What one bulk insert into an audit log did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventsWritten {
    /// New documents.
    pub inserted: usize,
    /// Events already in the log (a replay, or twice in the same batch).
    pub duplicates: usize,
}

/// One unordered bulk insert into an audit log with a unique `event_id`: duplicate-key
/// errors (the event is already there) count as written; any other error fails the whole
/// call, and since the insert is idempotent, the caller simply retries it.
async fn insert_unordered(
    collection: &Collection<Document>,
    documents: Vec<Document>,
) -> Result<EventsWritten, Error> {
    let total = documents.len();
    if total == 0 {
        return Ok(EventsWritten::default());
    }
    match collection.insert_many(documents).ordered(false).await {
        Ok(result) => Ok(EventsWritten {
            inserted: result.inserted_ids.len(),
            duplicates: total - result.inserted_ids.len(),
        }),
        Err(err) => match err.kind.as_ref() {
            ErrorKind::InsertMany(failure)
                if failure.write_concern_error.is_none()
                    && failure
                        .write_errors
                        .as_ref()
                        .is_some_and(|errors| errors.iter().all(|e| e.code == DUPLICATE_KEY)) =>
            {
                let duplicates = failure.write_errors.as_ref().map_or(0, Vec::len);
                Ok(EventsWritten {
                    inserted: total - duplicates,
                    duplicates,
                })
            }
            _ => Err(err),
        },
    }
}
