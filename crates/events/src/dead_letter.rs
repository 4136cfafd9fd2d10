//! What every writer and reader of a dead letter agrees on beyond its JSON body
//! ([`crate::DeadLetter`]): the Kafka header names, and which source topics a dead letter
//! may be redriven to.

use crate::{TOPIC_INVENTORY_EVENTS, TOPIC_ORDER_EVENTS};

/// Header names of a dead letter (the body repeats code and reason).
pub mod headers {
    /// Human-readable reason (`DeadLetter::error_reason`).
    pub const ERROR_REASON: &str = "error_reason";
    /// Machine-readable reason (`DeadLetter::error_code`), e.g. `malformed_json`.
    pub const ERROR_CODE: &str = "error_code";
    /// The topic the message was read from (consumers) or meant for (outbox worker).
    pub const SOURCE_TOPIC: &str = "source_topic";
    /// Partition and offset of the original message (consumers only).
    pub const SOURCE_PARTITION: &str = "source_partition";
    pub const SOURCE_OFFSET: &str = "source_offset";
    /// On a redriven message: the dead letter it came from, `<dlq topic>/<partition>/<offset>`.
    pub const REDRIVEN_FROM: &str = "redriven_from";
}

/// Topics whose messages are events written once by a service's outbox: a dead letter from
/// one of them may be sent to it again ("redriven") once its cause is fixed; consumers
/// de-duplicate by `event_id`. Derived topics (`orders.sku-stats`, recomputed by the stream
/// job) and unknown topics are not redriven.
pub const REDRIVABLE_TOPICS: [&str; 2] = [TOPIC_ORDER_EVENTS, TOPIC_INVENTORY_EVENTS];

/// Whether a dead letter from `source_topic` may be redriven to it.
pub fn is_redrivable(source_topic: &str) -> bool {
    REDRIVABLE_TOPICS.contains(&source_topic)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_event_topics_are_redrivable() {
        assert!(is_redrivable(crate::TOPIC_ORDER_EVENTS));
        assert!(is_redrivable(crate::TOPIC_INVENTORY_EVENTS));
        assert!(!is_redrivable(crate::TOPIC_SKU_STATS));
        assert!(!is_redrivable(crate::TOPIC_DEAD_LETTER));
        assert!(!is_redrivable(""));
    }
}
