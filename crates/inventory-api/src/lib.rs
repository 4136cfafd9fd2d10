//! The inventory service's internal HTTP API (docs/spec.md#inventory): the one owner of its
//! paths, request and response bodies, and error codes. The inventory service serves these
//! DTOs; the api forwards its `/inventory/...` routes with [`InventoryClient`] and puts the
//! schemas (`utoipa::ToSchema`) in its own OpenAPI document.

mod client;
mod dto;

pub use client::{CallContext, ClientError, InventoryClient};
pub use dto::*;
