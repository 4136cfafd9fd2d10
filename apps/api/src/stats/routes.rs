use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AdminOnly;
use crate::error::{ApiError, ErrorBody};
use crate::http::AppQuery;
use crate::state::AppState;
use crate::stats::domain::{SkuStatsPage, SkuStatsParams, SkuStatsQuery};
use crate::stats::service;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(sku_stats))
}

/// Per-SKU sales from the read model, per currency (admin only).
///
/// Every item belongs to one currency; revenue of different currencies is never added up or
/// compared. Items are grouped by currency (`EUR`, `HUF`, `USD`; only `currency` when given).
/// With `sku`: per currency, that SKU's 1-minute windows whose start lies in `[from, to)`,
/// oldest first, at most `limit`. Without: per currency, the `limit` SKUs with the highest
/// revenue in that currency summed over the windows in the range, highest first;
/// `window_start` is then the SKU's first window in the range with sales in that currency.
///
/// `to` must be after `from` and at most 7 days later; JSON Schema cannot relate two
/// parameters, so a range that breaks this is answered with 422 naming `to`.
#[utoipa::path(
    get,
    path = "/stats/sku",
    tag = "stats",
    params(SkuStatsParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The statistics", body = SkuStatsPage),
        (status = 401, description = "Missing, invalid or expired access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Invalid `from`, `to`, `sku`, `currency` or `limit`, or `to` not after `from` or more than 7 days after it (named in `details`)", body = ErrorBody),
    )
)]
pub async fn sku_stats(
    State(state): State<AppState>,
    _admin: AdminOnly,
    AppQuery(params): AppQuery<SkuStatsParams>,
) -> Result<Json<SkuStatsPage>, ApiError> {
    let query = SkuStatsQuery::parse(&params).map_err(ApiError::validation)?;
    Ok(Json(service::sku_stats(&state.mongo, &query).await?))
}
