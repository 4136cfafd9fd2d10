//! The saga consumer of `orders.events`: reserve, commit or release stock per order.

pub mod consumer;
pub mod repo;
pub mod service;

pub use consumer::SagaConsumer;
pub use service::{handle, Outcome};
