//! Calls to the inventory service and what their failures mean to the api's clients.

use inventory_api::{
    AvailabilityList, CallContext, ClientError, CreateStock, InventoryClient, SetOnHand, StockItem,
    StockPage, StockQuery,
};

use crate::error::{ApiError, ApiResult, FieldError};

pub async fn list_stock(
    client: &InventoryClient,
    ctx: &CallContext,
    query: &StockQuery,
) -> ApiResult<StockPage> {
    client.list_stock(ctx, query).await.map_err(to_api_error)
}

pub async fn get_stock(
    client: &InventoryClient,
    ctx: &CallContext,
    sku: &str,
) -> ApiResult<StockItem> {
    client.get_stock(ctx, sku).await.map_err(to_api_error)
}

pub async fn create_stock(
    client: &InventoryClient,
    ctx: &CallContext,
    body: &CreateStock,
) -> ApiResult<StockItem> {
    client.create_stock(ctx, body).await.map_err(to_api_error)
}

pub async fn set_on_hand(
    client: &InventoryClient,
    ctx: &CallContext,
    sku: &str,
    body: &SetOnHand,
) -> ApiResult<StockItem> {
    client
        .set_on_hand(ctx, sku, body)
        .await
        .map_err(to_api_error)
}

pub async fn availability(
    client: &InventoryClient,
    ctx: &CallContext,
    skus: &[&str],
) -> ApiResult<AvailabilityList> {
    client.availability(ctx, skus).await.map_err(to_api_error)
}

/// A 4xx of the inventory service is the client's mistake: the same status, code, message
/// and details, under the api's request id. No answer, or a 5xx (the service or its
/// database is down), is an outage: 503 with `Retry-After`. A success body that does not
/// fit the contract is a bug (500).
pub fn to_api_error(err: ClientError) -> ApiError {
    match err {
        ClientError::Api { status, body } if status.is_client_error() => {
            let details = body
                .error
                .details
                .into_iter()
                .map(|d| FieldError::new(d.field, d.message))
                .collect();
            ApiError::forwarded(status, body.error.code, body.error.message, details)
        }
        err @ (ClientError::Api { .. } | ClientError::Unavailable(_)) => {
            ApiError::unavailable(anyhow::Error::new(err).context("calling the inventory service"))
        }
        err @ ClientError::Decode(_) => ApiError::internal(anyhow::Error::new(err)),
    }
}
