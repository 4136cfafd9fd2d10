//! The offsets a consumer has handled, and the list it commits them with.

use std::collections::BTreeMap;

use rdkafka::{Offset, TopicPartitionList};

/// Per (topic, partition): the next offset to read.
pub type Offsets = BTreeMap<(String, i32), i64>;

/// The list to commit `offsets` with. An entry librdkafka refuses is logged and left out:
/// the next commit covers it, and at worst a restart re-reads idempotent messages.
pub fn partition_list(offsets: &Offsets) -> TopicPartitionList {
    let mut list = TopicPartitionList::new();
    for ((topic, partition), offset) in offsets {
        if let Err(err) = list.add_partition_offset(topic, *partition, Offset::Offset(*offset)) {
            tracing::warn!(error = %err, topic, partition, "cannot list offset to commit");
        }
    }
    list
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_partition_is_listed_at_its_next_offset() {
        let offsets = Offsets::from([
            (("orders.events".to_owned(), 0), 7),
            (("orders.events".to_owned(), 2), 1),
        ]);
        let list = partition_list(&offsets);
        assert_eq!(list.count(), 2);
        let first = list.find_partition("orders.events", 0).unwrap();
        assert_eq!(first.offset(), Offset::Offset(7));
        let second = list.find_partition("orders.events", 2).unwrap();
        assert_eq!(second.offset(), Offset::Offset(1));
    }
}
