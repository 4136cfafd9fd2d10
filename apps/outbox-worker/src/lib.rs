//! The outbox worker (docs/spec.md#outbox, issue 10): relays the `outbox_events` tables of one or
//! more databases to Kafka, at least once, in order per key, retried with backoff and
//! dead-lettered when hopeless. The table's contract lives in crates/outbox; `main.rs`
//! wires the worker to the process; the integration tests drive [`Worker`].

pub mod config;
mod publish;
mod relay;
pub mod worker;

pub use config::Config;
pub use outbox::backoff;
pub use publish::EXHAUSTED_CODE;
pub use relay::BatchOutcome;
pub use worker::{Worker, WorkerError};
