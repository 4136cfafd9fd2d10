//! `GET /stats/sku` (SPEC §7) against the real MongoDB, seeded directly in a database of
//! the test's own.

mod get;
