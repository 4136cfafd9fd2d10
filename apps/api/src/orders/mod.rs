//! Orders (docs/spec.md#orders): creation with idempotency and a transactional outbox event, cached
//! reads, status transitions, and keyset-paginated listings.

pub mod cache;
pub mod cursor;
pub mod domain;
pub mod dto;
pub mod repo;
pub mod reservation;
pub mod routes;
pub mod saga;
pub mod service;

pub use domain::{Currency, OrderStatus};
pub use reservation::Reservation;
