//! Reads of the read model's `sku_stats` (written by the projector; collection, fields and
//! queries are defined once in the `read_model` crate).

use mongodb::Database;
use read_model::sku_stats;
use read_model::StatsRange;

use crate::stats::domain::{Currency, SkuStat, SkuStatsQuery};

fn range(query: &SkuStatsQuery) -> StatsRange {
    StatsRange {
        from: query.from,
        to: query.to,
    }
}

/// One SKU's windows in `currency` in the range, oldest first, at most `limit`.
pub async fn windows_of_sku(
    db: &Database,
    query: &SkuStatsQuery,
    sku: &str,
    currency: Currency,
) -> anyhow::Result<Vec<SkuStat>> {
    let windows = sku_stats::windows_of_sku(
        db,
        &range(query),
        sku,
        currency.as_str(),
        u32::from(query.limit),
    )
    .await?;
    Ok(windows
        .into_iter()
        .map(|window| SkuStat {
            sku: window.sku,
            currency,
            window_start: window.window_start,
            qty_sum: window.qty_sum,
            revenue_sum: window.revenue_sum,
        })
        .collect())
}

/// The `limit` SKUs with the highest revenue in `currency` over the range, highest first.
pub async fn top_skus(
    db: &Database,
    query: &SkuStatsQuery,
    currency: Currency,
) -> anyhow::Result<Vec<SkuStat>> {
    let totals =
        sku_stats::top_skus(db, &range(query), currency.as_str(), u32::from(query.limit)).await?;
    Ok(totals
        .into_iter()
        .map(|total| SkuStat {
            sku: total.sku,
            currency,
            window_start: total.first_window_start,
            qty_sum: total.qty_sum,
            revenue_sum: total.revenue_sum,
        })
        .collect())
}
