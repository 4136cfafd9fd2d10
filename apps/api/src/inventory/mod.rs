//! Inventory (docs/spec.md#inventory-api): the public `/inventory/...` routes. The api
//! authenticates the caller itself (denylist included), then forwards the request to the
//! inventory service's internal API through `inventory_api::InventoryClient`, the one owner
//! of that API's bodies; its answers and errors come back in the api's own conventions.

pub mod routes;
pub mod service;
