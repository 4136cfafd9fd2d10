//! `GET /healthz`: real round trips to PostgreSQL, Redis and Kafka, run concurrently.

pub mod routes;
