use futures::future::try_join_all;
use mongodb::Database;

use crate::error::ApiError;
use crate::stats::domain::{Currency, SkuStatsPage, SkuStatsQuery};
use crate::stats::repo;

/// Revenue is never added up or compared across currencies: every currency (or only the
/// requested one) is queried on its own, with its own `limit`, and the items are grouped by
/// currency in the order of [`Currency::ALL`].
pub async fn sku_stats(db: &Database, query: &SkuStatsQuery) -> Result<SkuStatsPage, ApiError> {
    let currencies = match query.currency {
        Some(currency) => vec![currency],
        None => Currency::ALL.to_vec(),
    };
    let per_currency = try_join_all(currencies.into_iter().map(|currency| async move {
        match &query.sku {
            Some(sku) => repo::windows_of_sku(db, query, sku.as_str(), currency).await,
            None => repo::top_skus(db, query, currency).await,
        }
    }))
    .await?;
    Ok(SkuStatsPage {
        items: per_currency.into_iter().flatten().collect(),
    })
}
