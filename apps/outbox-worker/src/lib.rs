//! The outbox worker (docs/spec.md#outbox): publishes the `outbox_events` rows the API commits to
//! Kafka, at least once, in order per order, retried with backoff and dead-lettered when
//! hopeless. `main.rs` wires it to the process; the integration tests drive [`Worker`].

pub mod config;
pub mod worker;

pub use config::Config;
pub use worker::{backoff, BatchOutcome, Worker, WorkerError};
