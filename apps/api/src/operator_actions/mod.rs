//! The operator action log (docs/spec.md#dead-letters-console-and-redrive): who redrove or
//! discarded which dead letter, or re-queued which outbox's dead rows, and when. Stored in
//! the api's `operator_actions` table; `GET /admin/operator-actions` lists it.

pub mod domain;
pub mod repo;
pub mod routes;
