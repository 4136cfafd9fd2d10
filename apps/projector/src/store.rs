//! The MongoDB read model (docs/spec.md#read-model): `order_events` (insert-only audit) and `sku_stats`
//! (upserted by `(sku, window_start)`).

use events::Envelope;
use mongodb::bson::{doc, DateTime as BsonDateTime, Document};
use mongodb::error::{ErrorKind, WriteFailure};
use mongodb::options::IndexOptions;
use mongodb::{Client, Collection, Database, IndexModel};

use crate::stats::SkuStat;

pub const ORDER_EVENTS: &str = "order_events";
pub const SKU_STATS: &str = "sku_stats";
/// Used when `MONGODB_URL` names no database.
pub const DEFAULT_DATABASE: &str = "orderflow";
const DUPLICATE_KEY: i32 = 11000;

#[derive(Clone)]
pub struct Store {
    database: Database,
}

/// Whether an insert wrote a new document or found the event already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Inserted {
    New,
    AlreadyThere,
}

impl Store {
    /// The driver connects lazily: this only parses the URL.
    pub async fn connect(url: &str) -> mongodb::error::Result<Self> {
        let client = Client::with_uri_str(url).await?;
        let database = client
            .default_database()
            .unwrap_or_else(|| client.database(DEFAULT_DATABASE));
        Ok(Self { database })
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    fn order_events(&self) -> Collection<Document> {
        self.database.collection(ORDER_EVENTS)
    }

    fn sku_stats(&self) -> Collection<Document> {
        self.database.collection(SKU_STATS)
    }

    /// Creates the indexes the read model relies on (idempotent: same names, same keys).
    pub async fn ensure_indexes(&self) -> mongodb::error::Result<()> {
        let named = |keys: Document, name: &str, unique: bool| {
            IndexModel::builder()
                .keys(keys)
                .options(
                    IndexOptions::builder()
                        .name(name.to_owned())
                        .unique(unique)
                        .build(),
                )
                .build()
        };
        self.order_events()
            .create_indexes([
                named(doc! {"event_id": 1}, "event_id_unique", true),
                named(doc! {"order_id": 1}, "order_id", false),
                named(doc! {"occurred_at": 1}, "occurred_at", false),
            ])
            .await?;
        self.sku_stats()
            .create_indexes([
                named(
                    doc! {"sku": 1, "window_start": 1},
                    "sku_window_start_unique",
                    true,
                ),
                // The top-SKUs query of GET /stats/sku filters by window only.
                named(doc! {"window_start": 1}, "window_start", false),
            ])
            .await?;
        Ok(())
    }

    /// Inserts the audit record; a replayed event (same `event_id`) is not duplicated.
    pub async fn insert_event(&self, envelope: &Envelope) -> mongodb::error::Result<Inserted> {
        let data = mongodb::bson::to_bson(&envelope.to_json_value()["data"])
            .map_err(|err| mongodb::error::Error::custom(err.to_string()))?;
        let document = doc! {
            "event_id": envelope.event_id.to_string(),
            "order_id": envelope.order_id().to_string(),
            "event_type": envelope.event_type().as_str(),
            "occurred_at": bson_date(envelope.occurred_at),
            "data": data,
        };
        match self.order_events().insert_one(document).await {
            Ok(_) => Ok(Inserted::New),
            Err(err) if is_duplicate_key(&err) => Ok(Inserted::AlreadyThere),
            Err(err) => Err(err),
        }
    }

    /// `$set` by `(sku, window_start)`: replays and updated aggregates overwrite, never add.
    pub async fn upsert_stat(&self, stat: &SkuStat) -> mongodb::error::Result<()> {
        self.sku_stats()
            .update_one(
                doc! {
                    "sku": &stat.sku,
                    "window_start": bson_date(stat.window_start),
                },
                doc! {"$set": {
                    "window_end": bson_date(stat.window_end),
                    "qty_sum": stat.qty_sum,
                    "revenue_sum": stat.revenue_sum,
                    "updated_at": BsonDateTime::now(),
                }},
            )
            .upsert(true)
            .await?;
        Ok(())
    }
}

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
