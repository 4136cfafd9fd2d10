//! The pipeline page (issue 14, docs/spec.md#pipeline-page): `GET /admin/pipeline` answers "is
//! everything flowing?" from every source at once (the api's own outbox, the inventory
//! service's internal API for its outbox, the broker's metadata and offsets, Flink's REST
//! API), each with its own timeout, a down source reported as such beside the rest; and
//! `POST /admin/pipeline/outboxes/{name}/requeue-dead` repairs an outbox's dead rows.
//! [`service::PipelineService::snapshot`] is the body of the GET, for the live stream too.

pub mod broker;
pub mod domain;
pub mod flink;
pub mod repo;
pub mod routes;
pub mod service;
pub mod trend;
pub mod watched;
