//! Reads of the MongoDB collection `sku_stats` (written by the projector).

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, DateTime as BsonDateTime, Document};
use mongodb::Database;

use crate::stats::domain::{SkuStat, SkuStatsQuery};

pub const SKU_STATS: &str = "sku_stats";

fn bson_date(at: DateTime<Utc>) -> BsonDateTime {
    BsonDateTime::from_millis(at.timestamp_millis())
}

fn range_filter(query: &SkuStatsQuery) -> Document {
    doc! {"window_start": {"$gte": bson_date(query.from), "$lt": bson_date(query.to)}}
}

/// One SKU's windows in the range, oldest first, at most `limit`.
pub async fn windows_of_sku(
    db: &Database,
    query: &SkuStatsQuery,
    sku: &str,
) -> anyhow::Result<Vec<SkuStat>> {
    let mut filter = range_filter(query);
    filter.insert("sku", sku);
    let documents: Vec<Document> = db
        .collection::<Document>(SKU_STATS)
        .find(filter)
        .sort(doc! {"window_start": 1})
        .limit(i64::from(query.limit))
        .await?
        .try_collect()
        .await?;
    documents.iter().map(to_stat).collect()
}

/// The `limit` SKUs with the highest revenue summed over the windows in the range.
pub async fn top_skus(db: &Database, query: &SkuStatsQuery) -> anyhow::Result<Vec<SkuStat>> {
    let pipeline = [
        doc! {"$match": range_filter(query)},
        doc! {"$group": {
            "_id": "$sku",
            "window_start": {"$min": "$window_start"},
            "qty_sum": {"$sum": "$qty_sum"},
            "revenue_sum": {"$sum": "$revenue_sum"},
        }},
        // Ties by SKU, so that the order is stable.
        doc! {"$sort": {"revenue_sum": -1, "_id": 1}},
        doc! {"$limit": i64::from(query.limit)},
        doc! {"$project": {
            "_id": 0,
            "sku": "$_id",
            "window_start": 1,
            "qty_sum": 1,
            "revenue_sum": 1,
        }},
    ];
    let documents: Vec<Document> = db
        .collection::<Document>(SKU_STATS)
        .aggregate(pipeline)
        .await?
        .try_collect()
        .await?;
    documents.iter().map(to_stat).collect()
}

fn to_stat(document: &Document) -> anyhow::Result<SkuStat> {
    let sku = document.get_str("sku")?.to_owned();
    let window_start = document.get_datetime("window_start")?.timestamp_millis();
    Ok(SkuStat {
        sku,
        window_start: DateTime::from_timestamp_millis(window_start)
            .ok_or_else(|| anyhow::anyhow!("window_start out of range"))?,
        qty_sum: integer(document, "qty_sum")?,
        revenue_sum: integer(document, "revenue_sum")?,
    })
}

/// The projector writes Int64; a sum over small values may come back as Int32.
fn integer(document: &Document, field: &str) -> anyhow::Result<i64> {
    match document.get(field) {
        Some(Bson::Int64(value)) => Ok(*value),
        Some(Bson::Int32(value)) => Ok(i64::from(*value)),
        other => anyhow::bail!("sku_stats.{field} is not an integer: {other:?}"),
    }
}
