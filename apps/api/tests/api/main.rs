//! Integration tests of the API against the real PostgreSQL, Redis and broker started by
//! `scripts/stack up`. One test binary (faster to link); one module per SPEC section.

mod auth;
mod contract;
mod helpers;
mod migrations;
mod orders;
mod outage;
mod skeleton;
mod stats;
