//! Live updates over Server-Sent Events (docs/spec.md#live-updates): `POST /live/tickets`
//! and `GET /live/stream`, fed by the [`hub::Hub`], which reads the topics themselves
//! (one consumer per api process, no committed offsets) rather than polling a database.

pub mod consumer;
pub mod domain;
pub mod hub;
pub mod pipeline;
pub mod routes;
pub mod service;
pub mod subscription;
pub mod tickets;

pub use consumer::LiveTopics;
pub use hub::Hub;
pub use pipeline::PipelineSource;
