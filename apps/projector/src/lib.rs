//! The projector (docs/spec.md#read-model): consumes `orders.events` into the MongoDB audit log
//! `order_events`, `inventory.events` into the audit log `stock_events`, and
//! `orders.sku-stats` into the read model `sku_stats`, in batches; whatever fails
//! validation goes with the reason to its source's DLQ (`orders.dlq` or `inventory.dlq`). The read model's
//! contract (collections, fields, indexes, message shape) lives in the `read_model` crate.
//! `main.rs` wires it to the process.

pub mod batch;
pub mod config;
pub mod dead_letter;
pub mod projector;

pub use config::Config;
pub use projector::{Projector, ProjectorError};
