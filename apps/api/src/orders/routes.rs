//! HTTP transport of the orders API (docs/spec.md#orders).

use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::domain::{NewOrder, OrderStatus, RawItem};
use super::dto::{
    AdminListOrdersQuery, CreateOrderRequest, ListOrdersQuery, Order, OrderPage,
    UpdateOrderStatusRequest,
};
use super::reservation::Reservation;
use super::service::{self, Created, ListRequest, Listing};
use crate::auth::{AdminOnly, AuthUser, VerifiedToken};
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::http::extract::parse_uuid;
use crate::http::{AppJson, AppPath, AppQuery, RequestId};
use crate::state::AppState;

pub static IDEMPOTENCY_KEY_HEADER: HeaderName = HeaderName::from_static("idempotency-key");
pub static IDEMPOTENT_REPLAYED_HEADER: HeaderName = HeaderName::from_static("idempotent-replayed");
/// `hit` or `miss`: whether `GET /orders/{id}` was served from the cache.
pub static CACHE_HEADER: HeaderName = HeaderName::from_static("x-cache");

pub fn router() -> OpenApiRouter<AppState> {
    super::cache::register_metrics();
    OpenApiRouter::new()
        .routes(routes!(create_order, list_orders))
        .routes(routes!(get_order))
        .routes(routes!(update_order_status))
        .routes(routes!(admin_list_orders))
}

/// The `Idempotency-Key` header: 400 when missing, 422 when not a UUID.
pub struct IdempotencyKey(pub Uuid);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts.headers.get(&IDEMPOTENCY_KEY_HEADER).ok_or_else(|| {
            ApiError::bad_request(
                "IDEMPOTENCY_KEY_REQUIRED",
                "the Idempotency-Key header is required",
            )
        })?;
        value
            .to_str()
            .ok()
            .and_then(parse_uuid)
            .map(Self)
            .ok_or_else(|| ApiError::invalid_field("Idempotency-Key", "must be a UUID"))
    }
}

fn order_location(id: Uuid) -> (HeaderName, HeaderValue) {
    let value = HeaderValue::from_str(&format!("/orders/{id}")).expect("a path is a header value");
    (header::LOCATION, value)
}

/// Places an order. Repeating the request with the same `Idempotency-Key` and the same body
/// returns the same order (200, `Idempotent-Replayed: true`) instead of a second one.
#[utoipa::path(
    post,
    path = "/orders",
    tag = "orders",
    security(("bearer" = [])),
    params(
        ("Idempotency-Key" = Uuid, Header, description = "A client-chosen UUID; one order per key and user"),
    ),
    request_body = CreateOrderRequest,
    responses(
        (status = 201, description = "The order was created", body = Order,
            headers(("Location" = String, description = "`/orders/{id}`"))),
        (status = 200, description = "A replay of an earlier identical request: the same order", body = Order,
            headers(("Idempotent-Replayed" = String, description = "`true`"))),
        (status = 400, description = "No `Idempotency-Key` header (`IDEMPOTENCY_KEY_REQUIRED`) or malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 409, description = "The key was used with a different request (`IDEMPOTENCY_KEY_REUSED`), or the caller already has `MAX_UNPAID_ORDERS` orders in status `created` (`TOO_MANY_UNPAID_ORDERS`)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "Invalid key or body; `details` names each field", body = ErrorBody),
    )
)]
pub async fn create_order(
    State(state): State<AppState>,
    user: AuthUser,
    IdempotencyKey(key): IdempotencyKey,
    Extension(request_id): Extension<RequestId>,
    AppJson(body): AppJson<CreateOrderRequest>,
) -> ApiResult<Response> {
    let items = body.items.iter().map(|item| RawItem {
        sku: &item.sku,
        qty: item.qty,
        unit_price: item.unit_price,
    });
    let order = NewOrder::parse(&body.currency, items).map_err(ApiError::validation)?;
    let response = match service::create_order(&state, user.id, key, order, &request_id.0).await? {
        Created::New(order) => {
            (StatusCode::CREATED, [order_location(order.id)], Json(order)).into_response()
        }
        Created::Replayed(order) => (
            StatusCode::OK,
            [
                order_location(order.id),
                (
                    IDEMPOTENT_REPLAYED_HEADER.clone(),
                    HeaderValue::from_static("true"),
                ),
            ],
            Json(order),
        )
            .into_response(),
    };
    Ok(response)
}

fn parse_status(status: Option<&str>) -> Result<Option<OrderStatus>, FieldError> {
    status
        .map(str::parse)
        .transpose()
        .map_err(|message| FieldError::new("status", message))
}

/// The caller's orders, newest first, by keyset pagination.
#[utoipa::path(
    get,
    path = "/orders",
    tag = "orders",
    security(("bearer" = [])),
    params(ListOrdersQuery),
    responses(
        (status = 200, description = "One page of the caller's orders", body = OrderPage),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 422, description = "Invalid `limit`, `status` or `cursor`", body = ErrorBody),
    )
)]
pub async fn list_orders(
    State(state): State<AppState>,
    user: AuthUser,
    AppQuery(query): AppQuery<ListOrdersQuery>,
) -> ApiResult<Json<OrderPage>> {
    let request = list_request(
        Ok(Listing::Own(user.id)),
        query.limit.as_deref(),
        query.status.as_deref(),
        None,
        query.cursor.as_deref(),
    )?;
    let page = service::list_orders(&state, request).await?;
    Ok(Json(page))
}

/// One order, for its owner or an admin; anyone else gets 404.
#[utoipa::path(
    get,
    path = "/orders/{id}",
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    responses(
        (status = 200, description = "The order", body = Order,
            headers(("X-Cache" = String, description = "`hit` or `miss`"))),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 404, description = "No such order, or not yours", body = ErrorBody),
    )
)]
pub async fn get_order(
    State(state): State<AppState>,
    token: VerifiedToken,
    path: Result<AppPath<Uuid>, ApiError>,
) -> ApiResult<Response> {
    let id = match path {
        Ok(AppPath(id)) => id,
        // Authentication still answers first: a denylisted token gets its 401, not a 404.
        Err(not_found) => {
            token.check(&state).await?;
            return Err(not_found);
        }
    };
    let (body, outcome) = service::get_order(&state, token, id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                CACHE_HEADER.clone(),
                HeaderValue::from_static(outcome.as_str()),
            ),
        ],
        body,
    )
        .into_response())
}

/// Pays or cancels a `created` order (owner or admin).
#[utoipa::path(
    patch,
    path = "/orders/{id}/status",
    tag = "orders",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Order id")),
    request_body = UpdateOrderStatusRequest,
    responses(
        (status = 200, description = "The order after the change", body = Order),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 404, description = "No such order, or not yours", body = ErrorBody),
        (status = 409, description = "The order's status does not allow this change (`INVALID_TRANSITION`); paying while the stock is not reserved yet (`RESERVATION_PENDING`) or no longer held (`RESERVATION_NOT_HELD`)", body = ErrorBody),
        (status = 415, description = "Body is not JSON", body = ErrorBody),
        (status = 422, description = "`status` is not `paid` or `canceled`", body = ErrorBody),
    )
)]
pub async fn update_order_status(
    State(state): State<AppState>,
    user: AuthUser,
    AppPath(id): AppPath<Uuid>,
    Extension(request_id): Extension<RequestId>,
    AppJson(body): AppJson<UpdateOrderStatusRequest>,
) -> ApiResult<Json<Order>> {
    service::change_status(&state, &user, id, body.status, &request_id.0)
        .await
        .map(Json)
}

/// Every user's orders, newest first (admin only).
#[utoipa::path(
    get,
    path = "/admin/orders",
    tag = "admin",
    security(("bearer" = [])),
    params(AdminListOrdersQuery),
    responses(
        (status = 200, description = "One page of orders", body = OrderPage),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "The caller is not an admin", body = ErrorBody),
        (status = 422, description = "Invalid `user_id`, `limit`, `status`, `reservation` or `cursor`", body = ErrorBody),
    )
)]
pub async fn admin_list_orders(
    State(state): State<AppState>,
    _admin: AdminOnly,
    AppQuery(query): AppQuery<AdminListOrdersQuery>,
) -> ApiResult<Json<OrderPage>> {
    let listing = query
        .user_id
        .as_deref()
        .map(|text| parse_uuid(text).ok_or(()))
        .transpose()
        .map(Listing::Admin)
        .map_err(|()| FieldError::new("user_id", "must be a UUID"));
    let request = list_request(
        listing,
        query.limit.as_deref(),
        query.status.as_deref(),
        query.reservation.as_deref(),
        query.cursor.as_deref(),
    )?;
    let page = service::list_orders(&state, request).await?;
    Ok(Json(page))
}

/// The listing parameters both order listings share, checked together so one 422 names
/// every invalid field.
fn list_request<'q>(
    listing: Result<Listing, FieldError>,
    limit: Option<&str>,
    status: Option<&str>,
    reservation: Option<&str>,
    cursor: Option<&'q str>,
) -> ApiResult<ListRequest<'q>> {
    let mut errors = Vec::new();
    let listing = listing.map_err(|error| errors.push(error)).ok();
    let limit = service::parse_limit(limit)
        .map_err(|message| errors.push(FieldError::new("limit", message)))
        .ok();
    let status = parse_status(status)
        .map_err(|error| errors.push(error))
        .ok();
    let reservation = reservation
        .map(str::parse::<Reservation>)
        .transpose()
        .map_err(|message| errors.push(FieldError::new("reservation", message)))
        .ok();
    let (Some(listing), Some(limit), Some(status), Some(reservation)) =
        (listing, limit, status, reservation)
    else {
        return Err(ApiError::validation(errors));
    };
    Ok(ListRequest {
        listing,
        status,
        reservation,
        limit,
        cursor,
    })
}
