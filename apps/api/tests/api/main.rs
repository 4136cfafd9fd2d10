//! Integration tests of the API against the real PostgreSQL, Redis and broker started by
//! `scripts/stack up`. One test binary (faster to link); one module per section of docs/spec.md.

mod auth;
mod helpers;
mod migrations;
mod orders;
mod skeleton;
mod stats;
