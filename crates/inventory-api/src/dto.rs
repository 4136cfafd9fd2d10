//! Bodies and parameters of the internal API. Field names here are the contract.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Paths, relative to the service's base URL.
pub mod paths {
    pub const STOCK: &str = "/stock";
    pub const AVAILABILITY: &str = "/availability";
    pub const HEALTHZ: &str = "/healthz";
    /// The service's outbox, for the operator (admin): figures and the re-queue of dead rows.
    pub const OUTBOX: &str = "/internal/outbox";
    pub const OUTBOX_REQUEUE_DEAD: &str = "/internal/outbox/requeue-dead";

    /// `/stock/{sku}`.
    pub fn stock_item(sku: &str) -> String {
        format!("{STOCK}/{}", crate::client::encode_path_segment(sku))
    }

    /// `/stock/{sku}/on-hand`.
    pub fn on_hand(sku: &str) -> String {
        format!("{}/on-hand", stock_item(sku))
    }
}

/// The SKU rule (owned by `crates/events`), the same as for order lines.
pub use events::SKU_PATTERN;
/// The largest `on_hand` an admin may set.
pub const MAX_ON_HAND: i64 = 1_000_000_000;
/// `GET /stock`: page size when `limit` is absent, and its bounds.
pub const DEFAULT_STOCK_LIMIT: u32 = 50;
pub const MAX_STOCK_LIMIT: u32 = 200;
/// `GET /availability`: how many `sku` parameters one call may ask about.
pub const MAX_AVAILABILITY_SKUS: usize = 50;

/// Error codes of the inventory API beyond the platform's common ones.
pub mod codes {
    /// `POST /stock` for a SKU that already exists.
    pub const SKU_EXISTS: &str = "SKU_EXISTS";
    /// `PUT /stock/{sku}/on-hand` below what is reserved.
    pub const BELOW_RESERVED: &str = "BELOW_RESERVED";
    pub const NOT_FOUND: &str = "NOT_FOUND";
    pub const VALIDATION_FAILED: &str = "VALIDATION_FAILED";
    pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
    pub const FORBIDDEN: &str = "FORBIDDEN";
    pub const SERVICE_UNAVAILABLE: &str = "SERVICE_UNAVAILABLE";
}

/// One SKU's stock; `available = on_hand - reserved`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StockItem {
    #[schema(pattern = "^[A-Z0-9_-]{3,64}$", example = "SKU-1")]
    pub sku: String,
    pub on_hand: i64,
    pub reserved: i64,
    pub available: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `GET /stock`: a page of SKUs in SKU order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StockPage {
    pub items: Vec<StockItem>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// `GET /stock` parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StockQuery {
    /// Only SKUs starting with this (same alphabet as SKUs, up to 64 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku_prefix: Option<String>,
    /// 1 to 200; 50 when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

/// `POST /stock`: a new SKU with its initial stock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CreateStock {
    #[schema(pattern = "^[A-Z0-9_-]{3,64}$", example = "SKU-1")]
    pub sku: String,
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    #[serde(deserialize_with = "platform::json::integer")]
    pub on_hand: i64,
}

/// `PUT /stock/{sku}/on-hand`: the counted stock, absolute (a restock or a correction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SetOnHand {
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    #[serde(deserialize_with = "platform::json::integer")]
    pub on_hand: i64,
}

/// How many units of a SKU can be ordered now; an unknown SKU has 0.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SkuAvailability {
    pub sku: String,
    pub available: i64,
}

/// `GET /availability?sku=A&sku=B`: one entry per distinct SKU asked, in the order asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AvailabilityList {
    pub items: Vec<SkuAvailability>,
}

/// `GET /internal/outbox`: the inventory outbox as `outbox::stats` reads it (counts stop at
/// the outbox crate's cap; `*_capped` says the cap was reached).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct OutboxStatus {
    pub pending: u64,
    pub pending_capped: bool,
    /// Age of the oldest pending row in milliseconds; absent when nothing is pending.
    pub oldest_pending_age_ms: Option<u64>,
    pub dead: u64,
    pub dead_capped: bool,
    pub published_last_minute: u64,
}

/// `POST /internal/outbox/requeue-dead`: how many dead rows were put back in the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RequeuedDead {
    pub requeued: u64,
}

/// One invalid input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The platform's uniform error object (docs/spec.md#errors).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorObject {
    pub code: String,
    pub message: String,
    pub request_id: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

/// The body of every error response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorObject,
}
