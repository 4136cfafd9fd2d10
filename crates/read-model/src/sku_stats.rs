//! `sku_stats`: one document per (SKU, currency, 1-minute window), upserted with `$set` from
//! the stream job's updating aggregate (never `$inc`: its output is at-least-once).
//!
//! `{sku: string, currency: string (ISO 4217), window_start: date, window_end: date,
//! qty_sum: Int64, revenue_sum: Int64 (minor units of currency), updated_at: date}`, unique
//! by `(sku, currency, window_start)`. Revenue of different currencies is never added up.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, DateTime as BsonDateTime, Document};
use mongodb::error::Error;
use mongodb::{Collection, Database};

use crate::{bson_date, from_bson_date};

pub const COLLECTION: &str = "sku_stats";

pub mod fields {
    pub const SKU: &str = "sku";
    pub const CURRENCY: &str = "currency";
    pub const WINDOW_START: &str = "window_start";
    pub const WINDOW_END: &str = "window_end";
    pub const QTY_SUM: &str = "qty_sum";
    pub const REVENUE_SUM: &str = "revenue_sum";
    pub const UPDATED_AT: &str = "updated_at";
}

/// The most statements sent in one `update` command (MongoDB's `maxWriteBatchSize` is
/// 100,000; smaller commands keep a retry after a failure cheap).
const UPSERTS_PER_COMMAND: usize = 1_000;

/// One SKU's sales in one currency in one 1-minute window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuStat {
    pub sku: String,
    /// ISO 4217 code, e.g. `EUR`.
    pub currency: String,
    pub window_start: DateTime<Utc>,
    pub window_end: DateTime<Utc>,
    pub qty_sum: i64,
    /// In minor units of `currency`.
    pub revenue_sum: i64,
}

/// The unique key of a `sku_stats` document.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SkuStatKey {
    pub sku: String,
    pub currency: String,
    pub window_start: DateTime<Utc>,
}

impl SkuStat {
    pub fn key(&self) -> SkuStatKey {
        SkuStatKey {
            sku: self.sku.clone(),
            currency: self.currency.clone(),
            window_start: self.window_start,
        }
    }
}

/// One SKU's sales in one currency summed over the windows of a range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuTotal {
    pub sku: String,
    pub currency: String,
    /// The SKU's first window in the range with sales in this currency.
    pub first_window_start: DateTime<Utc>,
    pub qty_sum: i64,
    pub revenue_sum: i64,
}

/// Windows whose start lies in `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatsRange {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

pub fn collection(db: &Database) -> Collection<Document> {
    db.collection(COLLECTION)
}

fn key_filter(stat: &SkuStat) -> Document {
    doc! {
        fields::SKU: &stat.sku,
        fields::CURRENCY: &stat.currency,
        fields::WINDOW_START: bson_date(stat.window_start),
    }
}

/// Upserts every stat by its key with `$set` in as few round trips as possible: one
/// unordered `update` command per 1,000 stats. Pass at most one stat per key (the last
/// value); any write error fails the call, which is safe to retry (`$set` is idempotent).
/// Returns the number of stats written.
pub async fn upsert_stats(db: &Database, stats: &[SkuStat]) -> Result<usize, Error> {
    let now = BsonDateTime::now();
    for chunk in stats.chunks(UPSERTS_PER_COMMAND) {
        let updates: Vec<Document> = chunk
            .iter()
            .map(|stat| {
                doc! {
                    "q": key_filter(stat),
                    "u": {"$set": {
                        fields::WINDOW_END: bson_date(stat.window_end),
                        fields::QTY_SUM: stat.qty_sum,
                        fields::REVENUE_SUM: stat.revenue_sum,
                        fields::UPDATED_AT: now,
                    }},
                    "upsert": true,
                    "multi": false,
                }
            })
            .collect();
        let reply = db
            .run_command(doc! {"update": COLLECTION, "updates": updates, "ordered": false})
            .await?;
        check_write_reply(&reply)?;
    }
    Ok(stats.len())
}

/// `run_command` only fails on `ok: 0`; per-statement failures come back in the reply.
fn check_write_reply(reply: &Document) -> Result<(), Error> {
    if let Ok(errors) = reply.get_array("writeErrors") {
        if let Some(first) = errors.first() {
            return Err(Error::custom(format!(
                "{} of the sku_stats upserts failed, e.g. {first}",
                errors.len()
            )));
        }
    }
    if let Ok(concern) = reply.get_document("writeConcernError") {
        return Err(Error::custom(format!(
            "sku_stats write concern error: {concern}"
        )));
    }
    Ok(())
}

fn range_filter(range: &StatsRange, currency: &str) -> Document {
    doc! {
        fields::CURRENCY: currency,
        fields::WINDOW_START: {"$gte": bson_date(range.from), "$lt": bson_date(range.to)},
    }
}

/// One SKU's windows in one currency in the range, oldest first, at most `limit`.
pub async fn windows_of_sku(
    db: &Database,
    range: &StatsRange,
    sku: &str,
    currency: &str,
    limit: u32,
) -> Result<Vec<SkuStat>, Error> {
    let mut filter = range_filter(range, currency);
    filter.insert(fields::SKU, sku);
    let documents: Vec<Document> = collection(db)
        .find(filter)
        .sort(doc! {fields::WINDOW_START: 1})
        .limit(i64::from(limit))
        .await?
        .try_collect()
        .await?;
    documents.iter().map(stat_from_document).collect()
}

/// The `limit` SKUs with the highest revenue in `currency` summed over the windows in the
/// range, highest first (ties by SKU).
pub async fn top_skus(
    db: &Database,
    range: &StatsRange,
    currency: &str,
    limit: u32,
) -> Result<Vec<SkuTotal>, Error> {
    let pipeline = [
        doc! {"$match": range_filter(range, currency)},
        doc! {"$group": {
            "_id": format!("${}", fields::SKU),
            "first_window_start": {"$min": format!("${}", fields::WINDOW_START)},
            "qty_sum": {"$sum": format!("${}", fields::QTY_SUM)},
            "revenue_sum": {"$sum": format!("${}", fields::REVENUE_SUM)},
        }},
        doc! {"$sort": {"revenue_sum": -1, "_id": 1}},
        doc! {"$limit": i64::from(limit)},
    ];
    let documents: Vec<Document> = collection(db)
        .aggregate(pipeline)
        .await?
        .try_collect()
        .await?;
    documents
        .iter()
        .map(|document| {
            Ok(SkuTotal {
                sku: string(document, "_id")?,
                currency: currency.to_owned(),
                first_window_start: date(document, "first_window_start")?,
                qty_sum: integer(document, "qty_sum")?,
                revenue_sum: integer(document, "revenue_sum")?,
            })
        })
        .collect()
}

pub fn stat_from_document(document: &Document) -> Result<SkuStat, Error> {
    Ok(SkuStat {
        sku: string(document, fields::SKU)?,
        currency: string(document, fields::CURRENCY)?,
        window_start: date(document, fields::WINDOW_START)?,
        window_end: date(document, fields::WINDOW_END)?,
        qty_sum: integer(document, fields::QTY_SUM)?,
        revenue_sum: integer(document, fields::REVENUE_SUM)?,
    })
}

fn malformed(field: &str, found: Option<&Bson>) -> Error {
    Error::custom(format!(
        "{COLLECTION}.{field} has an unexpected value: {found:?}"
    ))
}

fn string(document: &Document, field: &str) -> Result<String, Error> {
    match document.get(field) {
        Some(Bson::String(text)) => Ok(text.clone()),
        other => Err(malformed(field, other)),
    }
}

fn date(document: &Document, field: &str) -> Result<DateTime<Utc>, Error> {
    match document.get(field) {
        Some(Bson::DateTime(at)) => from_bson_date(*at).ok_or_else(|| malformed(field, None)),
        other => Err(malformed(field, other)),
    }
}

/// Written as Int64; a server may return a sum of small values as Int32.
fn integer(document: &Document, field: &str) -> Result<i64, Error> {
    match document.get(field) {
        Some(Bson::Int64(value)) => Ok(*value),
        Some(Bson::Int32(value)) => Ok(i64::from(*value)),
        other => Err(malformed(field, other)),
    }
}
