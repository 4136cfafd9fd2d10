//! The platform's consumer groups and the topics each one reads: the services take their
//! default `CONSUMER_GROUP` from here, and the api's pipeline page watches exactly this list.
//! The stream job's group and name are written in `apps/stream-job/job.sql` (Flink SQL
//! cannot read Rust); a test below keeps the two equal.

use crate::{TOPIC_INVENTORY_EVENTS, TOPIC_ORDER_EVENTS, TOPIC_SKU_STATS};

/// The projector (read model: orders, audit, SKU statistics).
pub const PROJECTOR: &str = "orderflow-projector";
/// The Flink stream job (per-SKU windows), `properties.group.id` in `job.sql`.
pub const STREAM_JOB: &str = "orderflow-sku-stats";
/// The inventory service's saga consumer.
pub const INVENTORY: &str = "inventory";
/// The orders side of the saga (`apps/order-saga`).
pub const ORDERS_SAGA: &str = "orders-saga";

/// The stream job's Flink job name (`pipeline.name` in `job.sql`).
pub const STREAM_JOB_NAME: &str = "orderflow-sku-stats";

/// A consumer group of the platform: its id, what it is (`role`, a stable word for UIs) and
/// the topics it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConsumerGroup {
    pub id: &'static str,
    pub role: &'static str,
    pub topics: &'static [&'static str],
}

/// Every consumer group of the platform, in pipeline order.
pub const ALL: [ConsumerGroup; 4] = [
    ConsumerGroup {
        id: PROJECTOR,
        role: "projector",
        topics: &[TOPIC_ORDER_EVENTS, TOPIC_SKU_STATS, TOPIC_INVENTORY_EVENTS],
    },
    ConsumerGroup {
        id: STREAM_JOB,
        role: "stream_job",
        topics: &[TOPIC_ORDER_EVENTS],
    },
    ConsumerGroup {
        id: INVENTORY,
        role: "inventory",
        topics: &[TOPIC_ORDER_EVENTS],
    },
    ConsumerGroup {
        id: ORDERS_SAGA,
        role: "orders_saga",
        topics: &[TOPIC_INVENTORY_EVENTS],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    const JOB_SQL: &str = include_str!("../../../apps/stream-job/job.sql");

    #[test]
    fn the_stream_jobs_group_and_name_are_the_ones_in_job_sql() {
        assert!(JOB_SQL.contains(&format!("'properties.group.id' = '{STREAM_JOB}'")));
        assert!(JOB_SQL.contains(&format!("SET 'pipeline.name' = '{STREAM_JOB_NAME}';")));
        assert!(JOB_SQL.contains(&format!("'topic' = '{TOPIC_ORDER_EVENTS}'")));
    }

    #[test]
    fn groups_are_distinct_and_read_platform_topics() {
        for (i, group) in ALL.iter().enumerate() {
            assert!(ALL[i + 1..].iter().all(|other| other.id != group.id));
            for topic in group.topics {
                assert!(
                    crate::TOPICS.iter().any(|(name, _)| name == topic),
                    "{topic}"
                );
            }
        }
    }
}
