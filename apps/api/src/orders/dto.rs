//! The JSON shapes of the orders API (request bodies, query strings, responses).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize, Serializer};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::domain::{Currency, OrderStatus, TargetStatus};
use super::reservation::Reservation;

/// Timestamps go out as RFC 3339 UTC with milliseconds and `Z`, the same text every time,
/// so an idempotent replay is byte-identical to the first response.
fn millis<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&events::format_rfc3339_millis(at))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrderRequest {
    #[schema(value_type = Currency)]
    pub currency: String,
    /// 1 to 50 items.
    #[schema(min_items = 1, max_items = 50)]
    pub items: Vec<CreateOrderItem>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrderItem {
    /// 3 to 64 characters of `[A-Z0-9_-]`.
    #[schema(
        example = "SKU-1",
        min_length = 3,
        max_length = 64,
        pattern = "^[A-Z0-9_-]{3,64}$"
    )]
    pub sku: String,
    #[serde(deserialize_with = "crate::http::extract::json_integer")]
    #[schema(minimum = 1, maximum = 1000)]
    pub qty: i64,
    /// In the currency's minor unit.
    #[serde(deserialize_with = "crate::http::extract::json_integer")]
    #[schema(minimum = 0, maximum = 10000000)]
    pub unit_price: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderLine {
    pub sku: String,
    pub qty: i32,
    pub unit_price: i64,
    /// `qty * unit_price`, computed by the server.
    pub line_total: i64,
}

/// The full snapshot of one order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Order {
    pub id: Uuid,
    pub user_id: Uuid,
    pub status: OrderStatus,
    /// Where the order's stock reservation stands; paying needs `reserved` (or `none`, an
    /// order placed outside the inventory saga).
    pub reservation: Reservation,
    pub currency: Currency,
    /// Sum of the line totals, in the currency's minor unit.
    pub total_amount: i64,
    pub items: Vec<OrderLine>,
    /// When the reservation is `rejected`: the lines the stock could not cover (an unknown
    /// SKU has 0 available). Empty for every other reservation.
    pub short_lines: Vec<ShortLine>,
    #[serde(serialize_with = "millis")]
    pub created_at: DateTime<Utc>,
}

/// A line of an order the stock could not cover when it was placed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ShortLine {
    pub sku: String,
    /// Units the order asked for.
    pub requested: i64,
    /// Units available at that moment.
    pub available: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderSummary {
    pub id: Uuid,
    pub user_id: Uuid,
    pub status: OrderStatus,
    pub reservation: Reservation,
    pub currency: Currency,
    pub total_amount: i64,
    #[serde(serialize_with = "millis")]
    pub created_at: DateTime<Utc>,
}

/// One page of a listing, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<OrderSummary>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateOrderStatusRequest {
    pub status: TargetStatus,
}

/// Query of `GET /orders`. Kept as text so each parameter gets a precise 422.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListOrdersQuery {
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, unchanged. A cursor this server did not
    /// issue for the same listing (the same caller and filters) is refused with 422.
    #[param(min_length = 76, max_length = 76, pattern = "^[A-Za-z0-9_-]{76}$")]
    pub cursor: Option<String>,
    /// Only orders in this status.
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
}

/// Query of `GET /admin/orders`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminListOrdersQuery {
    /// Only this user's orders (a hyphenated UUID).
    #[param(value_type = Option<Uuid>)]
    pub user_id: Option<String>,
    /// Page size, 1 to 100 (default 20).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    pub limit: Option<String>,
    /// The `next_cursor` of the previous page, unchanged. A cursor this server did not
    /// issue for the same listing (the same caller and filters) is refused with 422.
    #[param(min_length = 76, max_length = 76, pattern = "^[A-Za-z0-9_-]{76}$")]
    pub cursor: Option<String>,
    /// Only orders in this status.
    #[param(value_type = Option<OrderStatus>)]
    pub status: Option<String>,
    /// Only orders whose stock reservation is in this state.
    #[param(value_type = Option<Reservation>)]
    pub reservation: Option<String>,
}
