//! Orders (docs/spec.md#orders): creation with idempotency and a transactional outbox event, cached
//! reads, status transitions, and keyset-paginated listings.

pub mod cache;
pub mod cursor;
pub mod domain;
pub mod dto;
pub mod repo;
pub mod routes;
pub mod service;

pub use domain::{Currency, OrderStatus};
