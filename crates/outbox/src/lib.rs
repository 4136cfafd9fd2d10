//! The transactional outbox's one owner (issue 10). A service writes an event with
//! [`insert`] inside its own transaction; a relay (the outbox worker) [`claim`]s pending rows
//! in per-key order, publishes them, then [`mark_published`] or [`record_failures`] in the
//! claiming transaction. Column names, statements and metric names live here and nowhere
//! else; [`schema`] holds the DDL a new service's database applies. [`stats`] and
//! [`requeue_dead`] are the operator's view and repair (the api's pipeline page).
//!
//! Statements are prepared at run time rather than checked by `sqlx::query!`: the crate
//! serves several databases (orderflow's, later the inventory service's). The crate's
//! integration tests run every statement against the migrated schema, and
//! [`schema::verify`] checks a database before a relay uses it.

pub mod metrics;
mod relay;
mod retry;
pub mod schema;
mod stats;
mod write;

pub use relay::{
    claim, mark_published, oldest_pending_age, record_failures, Claimed, Failure, Position,
    CLAIM_PLANNER_SETTINGS, CLAIM_SQL,
};
pub use retry::{backoff, RetryPolicy};
pub use stats::{requeue_dead, stats, stats_capped, OutboxStats, COUNT_CAP, STATS_SQL};
pub use write::{insert, NewEvent};
