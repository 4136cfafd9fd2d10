//! `GET /stats/sku` (docs/spec.md#stats-api) against the real MongoDB, seeded directly in a database of
//! the test's own.

mod get;
