//! The dead-letter console (docs/spec.md#dead-letters-console-and-redrive) against the
//! shared broker, the stack's projector and MongoDB: each test's letters carry an
//! `error_code` of its own (or a key of its own) in the shared `orders.dlq`, and its
//! action log is in its own database.

mod access;
mod browse;
mod discard;
mod outage;
mod redrive;
