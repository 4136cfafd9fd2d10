//! Integration tests of the projector against the real broker (`KAFKA_BROKERS`, default
//! 127.0.0.1:9092) and MongoDB (`MONGODB_URL`, default the stack's SecantusDB). Every test
//! uses its own topics, consumer group and MongoDB database.

mod batch;
mod events_log;
mod helpers;
mod outage;
mod pipeline;
mod sku_stats;
mod stock_events;
