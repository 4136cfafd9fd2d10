//! `/inventory/...` (docs/spec.md#inventory-api): the api in-process in front of a real
//! inventory service on a socket with its own database (`TestApp::with_inventory`).

mod availability;
mod create_stock;
mod get_stock;
mod list_stock;
mod outage;
mod set_on_hand;
