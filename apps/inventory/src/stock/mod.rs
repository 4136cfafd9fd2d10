//! Stock per SKU and the admin/availability HTTP API.

pub mod domain;
pub mod repo;
pub mod routes;
pub mod service;
