use mongodb::Database;

use crate::error::ApiError;
use crate::stats::domain::{SkuStatsPage, SkuStatsQuery};
use crate::stats::repo;

pub async fn sku_stats(db: &Database, query: &SkuStatsQuery) -> Result<SkuStatsPage, ApiError> {
    let items = match &query.sku {
        Some(sku) => repo::windows_of_sku(db, query, sku.as_str()).await?,
        None => repo::top_skus(db, query).await?,
    };
    Ok(SkuStatsPage { items })
}
