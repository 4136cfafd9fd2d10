//! `GET /stats/sku` (docs/spec.md#stats-api): per-SKU per-minute sales from the MongoDB read model that
//! the projector maintains.

pub mod domain;
pub mod repo;
pub mod routes;
pub mod service;
