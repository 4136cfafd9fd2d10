//! Integration tests of the inventory service against the real PostgreSQL and broker of
//! the stack, one file per flow or endpoint.

mod helpers;

mod availability;
mod cancellation;
mod client;
mod consumer;
mod consumer_outage;
mod create_stock;
mod get_stock;
mod list_stock;
mod migrations;
mod outage;
mod outbox_admin;
mod redelivery;
mod reserve;
mod set_on_hand;
