//! HTTP transport of `/inventory/...` (docs/spec.md#inventory-api). Each handler
//! authenticates the caller with the api's own extractors first (so a logged-out token is
//! refused here), then forwards the caller's token and the request id.

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use inventory_api::{
    AvailabilityList, CallContext, CreateStock, InventoryClient, SetOnHand, StockItem, StockPage,
    StockQuery,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::service;
use crate::auth::{AdminOnly, AuthUser};
use crate::error::{ApiResult, ErrorBody};
use crate::http::{AppJson, AppPath, AppQuery, RequestId};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_stock, create_stock))
        .routes(routes!(get_stock))
        .routes(routes!(set_on_hand))
        .routes(routes!(availability))
}

/// What the inventory service is told about the caller: the same `Authorization` header
/// (it verifies the token itself) and this request's id.
pub struct Forwarded(pub CallContext);

impl<S: Send + Sync> FromRequestParts<S> for Forwarded {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned);
        let request_id = parts.extensions.get::<RequestId>().map(|id| id.0.clone());
        Ok(Self(CallContext {
            authorization,
            request_id,
        }))
    }
}

/// Lists stock in SKU order, a page at a time (admin only).
#[utoipa::path(
    get,
    path = "/inventory/stock",
    tag = "inventory",
    security(("bearer" = [])),
    params(
        ("sku_prefix" = Option<String>, Query, pattern = "^[A-Z0-9_-]{0,64}$", description = "Only SKUs starting with this"),
        ("limit" = Option<u32>, Query, minimum = 1, maximum = 200, description = "Page size, 50 when absent"),
        ("cursor" = Option<String>, Query, pattern = "^[A-Z0-9_-]{3,64}$", description = "`next_cursor` of the previous page (the last SKU it listed)"),
    ),
    responses(
        (status = 200, description = "A page of SKUs", body = StockPage),
        (status = 401, description = "Missing, invalid, expired or logged-out access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 422, description = "Invalid `sku_prefix`, `limit` or `cursor` (named in `details`)", body = ErrorBody),
    )
)]
pub async fn list_stock(
    _admin: AdminOnly,
    State(client): State<InventoryClient>,
    Forwarded(ctx): Forwarded,
    AppQuery(query): AppQuery<StockQuery>,
) -> ApiResult<Json<StockPage>> {
    Ok(Json(service::list_stock(&client, &ctx, &query).await?))
}

/// One SKU's stock (admin only).
#[utoipa::path(
    get,
    path = "/inventory/stock/{sku}",
    tag = "inventory",
    security(("bearer" = [])),
    params(("sku" = String, Path, description = "The SKU; one that cannot exist is 404 like an unknown one")),
    responses(
        (status = 200, description = "The SKU's stock", body = StockItem),
        (status = 401, description = "Missing, invalid, expired or logged-out access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such SKU (`NOT_FOUND`)", body = ErrorBody),
    )
)]
pub async fn get_stock(
    _admin: AdminOnly,
    State(client): State<InventoryClient>,
    Forwarded(ctx): Forwarded,
    AppPath(sku): AppPath<String>,
) -> ApiResult<Json<StockItem>> {
    Ok(Json(service::get_stock(&client, &ctx, &sku).await?))
}

/// Creates a SKU with its initial `on_hand` (admin only).
#[utoipa::path(
    post,
    path = "/inventory/stock",
    tag = "inventory",
    security(("bearer" = [])),
    request_body = CreateStock,
    responses(
        (status = 201, description = "The SKU was created", body = StockItem,
            headers(("Location" = String, description = "`/inventory/stock/{sku}`"))),
        (status = 401, description = "Missing, invalid, expired or logged-out access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 409, description = "The SKU exists already (`SKU_EXISTS`)", body = ErrorBody),
        (status = 422, description = "Invalid `sku` or `on_hand` (negative, above 1,000,000,000 or not an integer; named in `details`)", body = ErrorBody),
    )
)]
pub async fn create_stock(
    _admin: AdminOnly,
    State(client): State<InventoryClient>,
    Forwarded(ctx): Forwarded,
    AppJson(body): AppJson<CreateStock>,
) -> ApiResult<impl IntoResponse> {
    let item = service::create_stock(&client, &ctx, &body).await?;
    let location = HeaderValue::from_str(&format!("/inventory/stock/{}", item.sku))
        .expect("a SKU is a header value");
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(item),
    ))
}

/// Sets a SKU's `on_hand` to the counted stock: a restock or a correction (admin only).
/// It may not go below what is reserved.
#[utoipa::path(
    put,
    path = "/inventory/stock/{sku}/on-hand",
    tag = "inventory",
    security(("bearer" = [])),
    params(("sku" = String, Path, description = "The SKU")),
    request_body = SetOnHand,
    responses(
        (status = 200, description = "The SKU's stock after the change", body = StockItem),
        (status = 401, description = "Missing, invalid, expired or logged-out access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No such SKU (`NOT_FOUND`)", body = ErrorBody),
        (status = 409, description = "Below the units reserved (`BELOW_RESERVED`); nothing changed", body = ErrorBody),
        (status = 422, description = "Invalid `on_hand` (negative, above 1,000,000,000 or not an integer)", body = ErrorBody),
    )
)]
pub async fn set_on_hand(
    _admin: AdminOnly,
    State(client): State<InventoryClient>,
    Forwarded(ctx): Forwarded,
    AppPath(sku): AppPath<String>,
    AppJson(body): AppJson<SetOnHand>,
) -> ApiResult<Json<StockItem>> {
    Ok(Json(
        service::set_on_hand(&client, &ctx, &sku, &body).await?,
    ))
}

/// The `sku` query parameter of availability, written by hand because utoipa cannot put
/// constraints on the items of an array parameter: 1 to 50 SKUs, each as the order rules
/// define a SKU (the inventory service validates them; this keeps the document exact).
struct AvailabilityParams;

impl utoipa::IntoParams for AvailabilityParams {
    fn into_params(
        _parameter_in: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
        use utoipa::openapi::Required;
        let sku = ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some(inventory_api::SKU_PATTERN))
            .min_length(Some(3))
            .max_length(Some(64));
        vec![ParameterBuilder::new()
            .name("sku")
            .parameter_in(ParameterIn::Query)
            .required(Required::True)
            .description(Some("1 to 50 SKUs: `?sku=A&sku=B`"))
            .schema(Some(
                ArrayBuilder::new()
                    .items(sku)
                    .min_items(Some(1))
                    .max_items(Some(50)),
            ))
            .build()]
    }
}

/// How many units of each SKU can be ordered now (any logged-in user); an unknown SKU has
/// 0. One entry per distinct SKU, in the order asked.
#[utoipa::path(
    get,
    path = "/inventory/availability",
    tag = "inventory",
    security(("bearer" = [])),
    params(AvailabilityParams),
    responses(
        (status = 200, description = "Availability per SKU", body = AvailabilityList),
        (status = 401, description = "Missing, invalid, expired or logged-out access token", body = ErrorBody),
        (status = 422, description = "No `sku`, more than 50, or an invalid one (`sku[i]` in `details`)", body = ErrorBody),
    )
)]
pub async fn availability(
    _user: AuthUser,
    State(client): State<InventoryClient>,
    Forwarded(ctx): Forwarded,
    RawQuery(pairs): RawQuery,
) -> ApiResult<Json<AvailabilityList>> {
    let skus: Vec<&str> = pairs
        .iter()
        .filter(|(name, _)| name == "sku")
        .map(|(_, value)| value.as_str())
        .collect();
    Ok(Json(service::availability(&client, &ctx, &skus).await?))
}

/// The query string as pairs, repeated names kept (`sku=A&sku=B`).
pub struct RawQuery(pub Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for RawQuery {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Self(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}
