//! Integration tests of the API against the real PostgreSQL, Redis, broker and MongoDB
//! started by `scripts/stack up`. One test binary (faster to link), laid out like the
//! API's documentation: one module per endpoint or flow, all talking to the app through
//! `helpers` (`TestApp` with a method per endpoint, `app.user()` / `app.admin()`).

mod contract;
mod helpers;

// Endpoints and flows.
mod auth;
mod cancellation;
mod dead_letters;
mod inventory;
mod live;
mod orders;
mod outage;
mod pipeline;
mod stats;

// What every endpoint shares.
mod cors;
mod errors;
mod health;
mod metrics;
mod request_id;
mod security_headers;

// The contract, the process and the schema.
mod config;
mod docs;
mod migrations;
mod openapi;
mod shutdown;
