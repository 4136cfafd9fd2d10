//! The pipeline page (docs/spec.md#pipeline-page): `GET /admin/pipeline` with real figures
//! from every source, each source down on its own, and the re-queue of dead outbox rows.

mod outage;
mod requeue;
mod status;
