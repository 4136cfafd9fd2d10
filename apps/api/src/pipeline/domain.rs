//! The pipeline page's body (contract: docs/spec.md#pipeline-page) and the pure rules behind
//! it: lag per partition, outbox names.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The whole page; every section carries the state of its own source.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PipelineStatus {
    /// When the figures were read (RFC 3339 UTC, milliseconds).
    #[serde(serialize_with = "millis::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub sampled_at: DateTime<Utc>,
    /// `orders` (the api's database) and `inventory` (the inventory service), in that order.
    pub outboxes: Vec<OutboxSection>,
    /// The platform's consumer groups, in pipeline order.
    pub consumer_groups: Vec<ConsumerGroupSection>,
    pub stream_job: StreamJobSection,
    pub topics: TopicsSection,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum SourceState {
    Up,
    Down,
}

/// Whether a section's source answered. When it is `down`, `error` says why in a few words
/// and the section's figures are `null` or empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct SourceStatus {
    pub status: SourceState,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "inventory service unreachable")]
    pub error: Option<String>,
}

impl SourceStatus {
    pub fn up() -> Self {
        Self {
            status: SourceState::Up,
            error: None,
        }
    }

    pub fn down(error: impl Into<String>) -> Self {
        Self {
            status: SourceState::Down,
            error: Some(error.into()),
        }
    }

    pub fn is_up(&self) -> bool {
        self.status == SourceState::Up
    }
}

/// One outbox. Counts stop at 100,000 (`*_capped` is then true): counting a larger backlog
/// on every refresh would cost more than the number is worth.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OutboxSection {
    #[schema(example = "orders")]
    pub name: String,
    pub source: SourceStatus,
    /// Rows not yet published (nor dead).
    #[schema(required = true)]
    pub pending: Option<u64>,
    #[schema(required = true)]
    pub pending_capped: Option<bool>,
    /// Age of the oldest pending row; `null` also when nothing is pending.
    #[schema(required = true)]
    pub oldest_pending_age_ms: Option<u64>,
    /// Rows that failed 10 times (their dead letter is on the DLQ); re-queue them with
    /// `POST /admin/pipeline/outboxes/{name}/requeue-dead`.
    #[schema(required = true)]
    pub dead: Option<u64>,
    #[schema(required = true)]
    pub dead_capped: Option<bool>,
    /// Rows the broker acknowledged in the last 60 s.
    #[schema(required = true)]
    pub published_last_minute: Option<u64>,
}

impl OutboxSection {
    pub fn down(name: &str, error: &str) -> Self {
        Self {
            name: name.to_owned(),
            source: SourceStatus::down(error),
            pending: None,
            pending_capped: None,
            oldest_pending_age_ms: None,
            dead: None,
            dead_capped: None,
            published_last_minute: None,
        }
    }
}

/// A consumer group: its committed offsets against the end of each partition it reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ConsumerGroupSection {
    #[schema(example = "orderflow-projector")]
    pub group: String,
    /// `projector`, `stream_job`, `inventory` or `orders_saga`.
    #[schema(example = "projector")]
    pub role: String,
    pub source: SourceStatus,
    pub topics: Vec<String>,
    pub partitions: Vec<PartitionLag>,
    /// Sum of `lag` over the partitions; `null` when the broker is down.
    #[schema(required = true)]
    pub total_lag: Option<i64>,
    /// The last (up to) 60 samples of `total_lag` this api instance took, oldest first, at
    /// most one per second; kept while the broker is down.
    pub trend: Vec<LagSample>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PartitionLag {
    pub topic: String,
    pub partition: i32,
    /// `null`: the group has committed nothing on this partition yet.
    #[schema(required = true)]
    pub committed_offset: Option<i64>,
    pub end_offset: i64,
    /// `end_offset − committed_offset`, or, with nothing committed, every message the
    /// partition still holds (`end_offset − ` its first offset).
    pub lag: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct LagSample {
    #[serde(serialize_with = "millis::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub at: DateTime<Utc>,
    pub total_lag: i64,
}

/// The Flink stream job (`orderflow-sku-stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct StreamJobSection {
    pub source: SourceStatus,
    #[schema(example = "orderflow-sku-stats")]
    pub name: String,
    /// Flink's job state (`RUNNING`, `RESTARTING`, `FAILED`, `CANCELED`, ...), or
    /// `NOT_FOUND` when Flink answers but runs no job of this name; `null` when Flink is down.
    #[schema(required = true, example = "RUNNING")]
    pub state: Option<String>,
    #[serde(serialize_with = "millis::serialize_option")]
    #[schema(required = true, value_type = Option<String>, format = DateTime)]
    pub started_at: Option<DateTime<Utc>>,
    /// How long the job has been running (for a job that ended: how long it ran).
    #[schema(required = true)]
    pub uptime_ms: Option<u64>,
    /// The last completed checkpoint; `null` before the first one.
    #[schema(required = true)]
    pub last_checkpoint: Option<Checkpoint>,
}

/// What the job says is not running: Flink answers but has no job of that name.
pub const JOB_NOT_FOUND: &str = "NOT_FOUND";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Checkpoint {
    pub id: u64,
    #[serde(serialize_with = "millis::serialize")]
    #[schema(value_type = String, format = DateTime)]
    pub completed_at: DateTime<Utc>,
    pub duration_ms: u64,
}

/// The platform's topics with their partitions' end offsets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TopicsSection {
    pub source: SourceStatus,
    pub items: Vec<TopicEnds>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TopicEnds {
    #[schema(example = "orders.events")]
    pub name: String,
    /// Empty when the topic does not exist.
    pub partitions: Vec<PartitionEnd>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct PartitionEnd {
    pub partition: i32,
    pub end_offset: i64,
}

/// `POST /admin/pipeline/outboxes/{name}/requeue-dead`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct Requeued {
    /// Dead rows put back in the queue (0 when there were none).
    pub requeued: u64,
}

/// An outbox: `orders` (the api's) or `inventory` (the inventory service's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OutboxName {
    /// The api's own (`outbox_events` in orderflow's database).
    Orders,
    /// The inventory service's, reached through its internal API.
    Inventory,
}

impl OutboxName {
    pub const ALL: [Self; 2] = [Self::Orders, Self::Inventory];

    /// `None` for any other name (answered 404, like the path's deserialization).
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outbox| outbox.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Orders => "orders",
            Self::Inventory => "inventory",
        }
    }
}

/// Timestamps as the rest of the pipeline writes them: RFC 3339 UTC with milliseconds.
mod millis {
    use chrono::{DateTime, Utc};
    use serde::Serializer;

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&events::format_rfc3339_millis(at))
    }

    pub fn serialize_option<S: Serializer>(
        at: &Option<DateTime<Utc>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => serialize(at, serializer),
            None => serializer.serialize_none(),
        }
    }
}

/// A partition's position for a group, from its committed offset (`None`: nothing
/// committed) and the partition's first and end offsets: `(committed, lag)`. A committed
/// offset below the first one (the messages were deleted by retention) counts from the
/// first; lag is never negative.
pub fn partition_lag(committed: Option<i64>, first: i64, end: i64) -> (Option<i64>, i64) {
    let from = committed.map_or(first, |at| at.max(first));
    (committed, (end - from).max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_counts_from_the_committed_offset_or_the_first_message() {
        assert_eq!(partition_lag(Some(100), 0, 120), (Some(100), 20));
        assert_eq!(partition_lag(Some(120), 0, 120), (Some(120), 0));
        assert_eq!(partition_lag(None, 30, 120), (None, 90));
        assert_eq!(partition_lag(None, 0, 0), (None, 0));
        // Retention deleted what the group never read: only what is left counts.
        assert_eq!(partition_lag(Some(10), 50, 60), (Some(10), 10));
        // A committed offset past the end (a topic recreated): no negative lag.
        assert_eq!(partition_lag(Some(500), 0, 120), (Some(500), 0));
    }

    #[test]
    fn only_the_two_outboxes_have_names() {
        for outbox in OutboxName::ALL {
            assert_eq!(OutboxName::parse(outbox.as_str()), Some(outbox));
            let from_json: OutboxName =
                serde_json::from_value(serde_json::json!(outbox.as_str())).unwrap();
            assert_eq!(from_json, outbox);
        }
        for unknown in ["Orders", "", "payments", "orders "] {
            assert_eq!(OutboxName::parse(unknown), None, "{unknown:?}");
            assert!(serde_json::from_value::<OutboxName>(serde_json::json!(unknown)).is_err());
        }
    }

    #[test]
    fn timestamps_have_milliseconds() {
        let at = DateTime::from_timestamp(1_764_172_800, 0).unwrap();
        let sample = serde_json::to_value(LagSample { at, total_lag: 3 }).unwrap();
        assert_eq!(sample["at"], "2025-11-26T16:00:00.000Z");
    }

    #[test]
    fn a_down_source_has_an_error_and_no_figures() {
        let body = serde_json::to_value(OutboxSection::down("inventory", "unreachable")).unwrap();
        assert_eq!(
            body,
            serde_json::json!({"name": "inventory", "source": {"status": "down", "error": "unreachable"},
                "pending": null, "pending_capped": null, "oldest_pending_age_ms": null,
                "dead": null, "dead_capped": null, "published_last_minute": null})
        );
        assert_eq!(
            serde_json::to_value(SourceStatus::up()).unwrap(),
            serde_json::json!({"status": "up"})
        );
    }
}
