//! Integration tests of the order saga against the real PostgreSQL, Redis and broker
//! started by `scripts/stack up`. Every test has its own database, topics and consumer
//! group; inventory replies are produced to the test's topic and the real consumer (or
//! sweeper) runs against them. One module per flow.

mod helpers;

mod dead_letter;
mod expiry;
mod outage;
mod pay_race;
mod redelivery;
mod rejected;
mod transitions;
