//! The projector (docs/spec.md#read-model): consumes `orders.events` into the MongoDB audit log
//! `order_events` and `orders.sku-stats` into the read model `sku_stats`; whatever fails
//! validation goes to `orders.dlq` with the reason. `main.rs` wires it to the process.

pub mod config;
pub mod projector;
pub mod stats;
pub mod store;

pub use config::Config;
pub use projector::{Projector, ProjectorError};
pub use store::Store;
