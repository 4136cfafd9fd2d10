//! The dead-letter console (docs/spec.md#dead-letters-console-and-redrive): browse
//! `orders.dlq` and `inventory.dlq`, redrive a letter (or all with one reason) to its source
//! topic once its cause is fixed, discard one. Every redrive and discard is logged in the
//! operator action log (`crate::operator_actions`).

pub mod domain;
pub mod dto;
pub mod repo;
pub mod routes;
pub mod service;
