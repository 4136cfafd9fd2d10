//! Integration tests of the outbox worker against the real PostgreSQL and broker
//! (`KAFKA_BROKERS`, default the stack's 127.0.0.1:9092). Every test uses its own
//! database and topics; the broker-outage test starts and stops a broker of its own.

mod helpers;
mod outage;
mod process;
mod publishing;
mod several;
