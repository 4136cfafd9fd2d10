//! Metric names of an outbox relay; every series carries the label [`OUTBOX_LABEL`] = the
//! outbox's name (e.g. `orders`), so one worker relaying several outboxes stays readable.

pub const OUTBOX_LABEL: &str = "outbox";
/// Counter: rows published (acknowledged by the broker).
pub const PUBLISHED_TOTAL: &str = "outbox_published_total";
/// Counter: failed publish attempts, including the one that dead-letters a row.
pub const FAILED_TOTAL: &str = "outbox_failed_total";
/// Counter: rows dead-lettered.
pub const DEAD_TOTAL: &str = "outbox_dead_total";
/// Gauge: age in seconds of the oldest pending row (0 when none).
pub const LAG_SECONDS: &str = "outbox_lag_seconds";
/// Histogram: one batch, claim to commit.
pub const BATCH_DURATION_SECONDS: &str = "outbox_batch_duration_seconds";
/// Histogram: the claim statement alone (bounded by the batch size, never by the backlog).
pub const CLAIM_DURATION_SECONDS: &str = "outbox_claim_duration_seconds";
/// Histogram: one batch's publish, first send to last acknowledgement.
pub const PUBLISH_DURATION_SECONDS: &str = "outbox_publish_duration_seconds";
/// Counter: batches that failed on the database.
pub const BATCH_ERRORS_TOTAL: &str = "outbox_batch_errors_total";
/// Gauge: batches claimed whose deliveries are still in flight.
pub const IN_FLIGHT_BATCHES: &str = "outbox_in_flight_batches";
