//! The broker's view of the pipeline: each topic's partitions with their first and end
//! offsets (metadata and watermarks), and each consumer group's committed offsets, read
//! with a client whose `group.id` is that group's and which never subscribes (so it never
//! joins the group or moves its offsets). librdkafka calls block: callers run them in
//! `spawn_blocking` and give each call what is left of the source's time budget.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, KafkaResult};
use rdkafka::types::RDKafkaErrorCode;
use rdkafka::{Offset, TopicPartitionList};

/// One partition: its first offset still held and its end offset (the next to be written).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionOffsets {
    pub partition: i32,
    pub first: i64,
    pub end: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicOffsets {
    pub name: String,
    /// Empty when the topic does not exist.
    pub partitions: Vec<PartitionOffsets>,
}

/// Clients for the broker, created on first use and kept: one for metadata and watermarks,
/// one per watched consumer group for its committed offsets. (Lazily: an api that never
/// serves the pipeline page opens no connection for it.)
#[derive(Clone)]
pub struct BrokerProbe {
    brokers: String,
    /// The metadata client's group id: librdkafka's consumer needs one; it is never used.
    own_group: String,
    clients: Arc<Mutex<HashMap<String, Arc<BaseConsumer>>>>,
}

impl BrokerProbe {
    pub fn new(brokers: &str) -> Self {
        Self {
            brokers: brokers.to_owned(),
            own_group: format!("orderflow-api-pipeline-{}", std::process::id()),
            clients: Arc::default(),
        }
    }

    /// The partitions of each topic with their offsets. Blocking.
    pub fn topic_offsets(
        &self,
        topics: &[String],
        deadline: Instant,
    ) -> KafkaResult<Vec<TopicOffsets>> {
        let client = self.client(&self.own_group)?;
        topics
            .iter()
            .map(|topic| {
                let metadata = client.fetch_metadata(Some(topic.as_str()), left(deadline)?)?;
                let Some(found) = metadata
                    .topics()
                    .iter()
                    .find(|t| t.name() == topic.as_str())
                else {
                    return Ok(absent(topic));
                };
                if found.error().is_some() {
                    return Ok(absent(topic));
                }
                let mut ids: Vec<i32> = found.partitions().iter().map(|p| p.id()).collect();
                ids.sort_unstable();
                let partitions = ids
                    .into_iter()
                    .map(|partition| {
                        let (first, end) =
                            client.fetch_watermarks(topic, partition, left(deadline)?)?;
                        Ok(PartitionOffsets {
                            partition,
                            first,
                            end,
                        })
                    })
                    .collect::<KafkaResult<_>>()?;
                Ok(TopicOffsets {
                    name: topic.clone(),
                    partitions,
                })
            })
            .collect()
    }

    /// `group`'s committed offset of each `(topic, partition)`; `None` where it has
    /// committed nothing. Blocking.
    pub fn committed_offsets(
        &self,
        group: &str,
        partitions: &[(String, i32)],
        deadline: Instant,
    ) -> KafkaResult<HashMap<(String, i32), Option<i64>>> {
        let mut list = TopicPartitionList::new();
        for (topic, partition) in partitions {
            list.add_partition(topic, *partition);
        }
        if list.count() == 0 {
            return Ok(HashMap::new());
        }
        let committed = self
            .client(group)?
            .committed_offsets(list, left(deadline)?)?;
        Ok(committed
            .elements()
            .iter()
            .map(|element| {
                let offset = match element.offset() {
                    Offset::Offset(at) => Some(at),
                    _ => None,
                };
                ((element.topic().to_owned(), element.partition()), offset)
            })
            .collect())
    }

    fn client(&self, group: &str) -> KafkaResult<Arc<BaseConsumer>> {
        let mut clients = self
            .clients
            .lock()
            .expect("the broker clients' lock is never poisoned");
        if let Some(existing) = clients.get(group) {
            return Ok(Arc::clone(existing));
        }
        let created = Arc::new(client(&self.brokers, group)?);
        clients.insert(group.to_owned(), Arc::clone(&created));
        Ok(created)
    }
}

/// A consumer that is never subscribed and never commits: it reads metadata and offsets.
fn client(brokers: &str, group: &str) -> KafkaResult<BaseConsumer> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("client.id", "orderflow-api-pipeline")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("allow.auto.create.topics", "false")
        .set("log_level", "3")
        .create()
}

fn absent(topic: &str) -> TopicOffsets {
    TopicOffsets {
        name: topic.to_owned(),
        partitions: Vec::new(),
    }
}

/// What is left of the budget; an error once it is spent.
fn left(deadline: Instant) -> KafkaResult<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    if left.is_zero() {
        Err(KafkaError::MetadataFetch(
            RDKafkaErrorCode::OperationTimedOut,
        ))
    } else {
        Ok(left)
    }
}
