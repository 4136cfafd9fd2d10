//! The indexes the read model relies on, created (and migrated) by its writer at start.

use mongodb::bson::{doc, Document};
use mongodb::error::Error;
use mongodb::options::IndexOptions;
use mongodb::{Database, IndexModel};

use crate::order_events::{self, fields as event};
use crate::sku_stats::{self, fields as stat};
use crate::stock_events::{self, fields as stock};

pub const EVENT_ID_UNIQUE: &str = "event_id_unique";
pub const ORDER_ID: &str = "order_id";
pub const OCCURRED_AT: &str = "occurred_at";
/// `stock_events`: an order's or a SKU's history (`key`), and every event touching a SKU.
pub const KEY: &str = "key";
pub const SKUS: &str = "skus";
pub const SKU_CURRENCY_WINDOW_UNIQUE: &str = "sku_currency_window_start_unique";
/// The top-SKUs query filters by currency and window range.
pub const CURRENCY_WINDOW_START: &str = "currency_window_start";
/// Indexes of the read model before revenue was kept per currency: the old unique key
/// `(sku, window_start)` would reject a second currency in the same window.
const LEGACY_SKU_STATS_INDEXES: [&str; 2] = ["sku_window_start_unique", "window_start"];

fn named(keys: Document, name: &str, unique: bool) -> IndexModel {
    IndexModel::builder()
        .keys(keys)
        .options(
            IndexOptions::builder()
                .name(name.to_owned())
                .unique(unique)
                .build(),
        )
        .build()
}

/// Creates the indexes (idempotent: same names, same keys). Migrates a `sku_stats` written
/// before currencies were kept apart: drops the old indexes and deletes the documents
/// without `currency` (their sums mix currencies; the stream job recomputes every window
/// still on its input topic with the currency).
pub async fn ensure_indexes(db: &Database) -> Result<(), Error> {
    order_events::collection(db)
        .create_indexes([
            named(doc! {event::EVENT_ID: 1}, EVENT_ID_UNIQUE, true),
            named(doc! {event::ORDER_ID: 1}, ORDER_ID, false),
            named(doc! {event::OCCURRED_AT: 1}, OCCURRED_AT, false),
        ])
        .await?;
    stock_events::collection(db)
        .create_indexes([
            named(doc! {stock::EVENT_ID: 1}, EVENT_ID_UNIQUE, true),
            named(doc! {stock::KEY: 1}, KEY, false),
            named(doc! {stock::SKUS: 1}, SKUS, false),
            named(doc! {stock::OCCURRED_AT: 1}, OCCURRED_AT, false),
        ])
        .await?;
    migrate_legacy_sku_stats(db).await?;
    sku_stats::collection(db)
        .create_indexes([
            named(
                doc! {stat::SKU: 1, stat::CURRENCY: 1, stat::WINDOW_START: 1},
                SKU_CURRENCY_WINDOW_UNIQUE,
                true,
            ),
            named(
                doc! {stat::CURRENCY: 1, stat::WINDOW_START: 1},
                CURRENCY_WINDOW_START,
                false,
            ),
        ])
        .await?;
    Ok(())
}

async fn migrate_legacy_sku_stats(db: &Database) -> Result<(), Error> {
    let exists = db
        .list_collection_names()
        .filter(doc! {"name": sku_stats::COLLECTION})
        .await?
        .iter()
        .any(|name| name == sku_stats::COLLECTION);
    if !exists {
        return Ok(());
    }
    let collection = sku_stats::collection(db);
    let present = collection.list_index_names().await?;
    for legacy in LEGACY_SKU_STATS_INDEXES {
        if present.iter().any(|name| name == legacy) {
            collection.drop_index(legacy).await?;
        }
    }
    collection
        .delete_many(doc! {stat::CURRENCY: {"$exists": false}})
        .await?;
    Ok(())
}
