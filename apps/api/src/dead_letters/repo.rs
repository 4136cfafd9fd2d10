//! The broker side of the console: DLQ partitions are read by assigning them and seeking
//! (no subscription, no committed offsets, so no consumer group is disturbed), and a
//! redrive is produced with an idempotent, acks=all producer.
//!
//! A listing reads at most the newest [`NEWEST_PER_PARTITION`] messages of each partition,
//! up to the high watermark taken when the request started: the console shows recent dead
//! letters, and a request's cost stays bounded however long the topic grows.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use events::dead_letter::headers;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Header, Headers, Message, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{Offset, TopicPartitionList};

use super::domain::{DlqTopic, LetterId, RawMessage};

/// How many of each partition's newest messages a listing reads.
pub const NEWEST_PER_PARTITION: i64 = 5_000;
/// A whole read (metadata, watermarks, messages) gives up after this: the broker is
/// treated as unavailable (503) rather than holding the request.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// librdkafka waits this long for metadata when no broker answers: the 503 comes sooner.
const METADATA_TIMEOUT: Duration = Duration::from_secs(5);
/// librdkafka needs a group id to assign partitions; the console never joins the group
/// (no `subscribe`) and never commits, so the group has no members and no offsets.
const CONSOLE_GROUP: &str = "orderflow-api-dead-letter-console";
/// A redrive not acknowledged by all in-sync replicas within this fails (503).
const PRODUCE_TIMEOUT_MS: &str = "10000";

/// Reads DLQ topics and redrives their letters. Cheap to clone; the producer is created on
/// the first redrive, so an api that never redrives opens no extra broker connections.
#[derive(Clone)]
pub struct DeadLetterBroker {
    brokers: Arc<str>,
    producer: Arc<OnceLock<FutureProducer>>,
}

impl DeadLetterBroker {
    pub fn new(brokers: &str) -> Self {
        Self {
            brokers: brokers.into(),
            producer: Arc::new(OnceLock::new()),
        }
    }

    /// The newest messages of every partition of `topic`, in no particular order; empty
    /// when the topic does not exist yet.
    pub async fn read_newest(&self, topic: DlqTopic) -> anyhow::Result<Vec<RawMessage>> {
        let brokers = Arc::clone(&self.brokers);
        blocking(move || read_newest(&brokers, topic.as_str())).await
    }

    /// The message at `id`, `None` when the partition or the offset does not exist.
    pub async fn read_one(&self, id: LetterId) -> anyhow::Result<Option<RawMessage>> {
        let brokers = Arc::clone(&self.brokers);
        blocking(move || read_one(&brokers, id)).await
    }

    /// Produces `payload` with `key` to `topic` and waits for the acknowledgement; the
    /// header `redriven_from` names the dead letter it came from.
    pub async fn redrive(
        &self,
        topic: &str,
        key: Option<&[u8]>,
        payload: &str,
        redriven_from: &str,
    ) -> anyhow::Result<()> {
        let producer = self.producer()?;
        let origin = OwnedHeaders::new_with_capacity(1).insert(Header {
            key: headers::REDRIVEN_FROM,
            value: Some(redriven_from),
        });
        let mut record = FutureRecord::<[u8], str>::to(topic)
            .payload(payload)
            .headers(origin);
        if let Some(key) = key {
            record = record.key(key);
        }
        producer
            .send(record, Timeout::Never)
            .await
            .map(drop)
            .map_err(|(err, _message)| err)
            .with_context(|| format!("redriving {redriven_from} to {topic}"))
    }

    fn producer(&self) -> Result<&FutureProducer, KafkaError> {
        if let Some(producer) = self.producer.get() {
            return Ok(producer);
        }
        let created: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &*self.brokers)
            .set("client.id", "orderflow-api-redrive")
            // Never a duplicate or a reordering from retries; durable once acknowledged.
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("message.timeout.ms", PRODUCE_TIMEOUT_MS)
            .set("log_level", "3")
            .create()?;
        // Two first redrives at once may both create one; the loser is dropped unused.
        Ok(self.producer.get_or_init(|| created))
    }
}

/// Runs a read on the blocking pool and answers within [`READ_TIMEOUT`] and a little:
/// librdkafka may take longer to give up on (or to close a client of) a broker that does
/// not answer, and the request must still end well inside its own timeout. A read given up
/// on finishes in the background.
async fn blocking<T: Send + 'static>(
    read: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let task = tokio::task::spawn_blocking(read);
    match tokio::time::timeout(READ_TIMEOUT + Duration::from_secs(2), task).await {
        Ok(joined) => joined.context("the DLQ reader panicked")?,
        Err(_) => anyhow::bail!("the broker did not answer within {READ_TIMEOUT:?}"),
    }
}

fn reader(brokers: &str) -> Result<BaseConsumer, KafkaError> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", CONSOLE_GROUP)
        .set("client.id", "orderflow-api-dead-letters")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        // Reaching a partition's end is reported, so a read never waits for more; and the
        // broker answers a fetch at the end at once instead of holding it for new data.
        .set("enable.partition.eof", "true")
        .set("fetch.wait.max.ms", "10")
        .set("socket.nagle.disable", "true")
        .set("log_level", "3")
        .create()
}

fn time_left(deadline: Instant) -> anyhow::Result<Duration> {
    let left = deadline.saturating_duration_since(Instant::now());
    anyhow::ensure!(
        !left.is_zero(),
        "the broker did not answer within {READ_TIMEOUT:?}"
    );
    Ok(left)
}

/// The partition ids of `topic` (none when it does not exist).
fn partitions(consumer: &BaseConsumer, topic: &str, deadline: Instant) -> anyhow::Result<Vec<i32>> {
    let metadata = consumer
        .fetch_metadata(Some(topic), time_left(deadline)?.min(METADATA_TIMEOUT))
        .context("fetching the DLQ topic's metadata")?;
    Ok(metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic && t.error().is_none())
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect())
}

fn watermarks(
    consumer: &BaseConsumer,
    topic: &str,
    partition: i32,
    deadline: Instant,
) -> anyhow::Result<(i64, i64)> {
    consumer
        .fetch_watermarks(topic, partition, time_left(deadline)?)
        .with_context(|| format!("fetching the watermarks of {topic}/{partition}"))
}

fn read_newest(brokers: &str, topic: &str) -> anyhow::Result<Vec<RawMessage>> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let consumer = reader(brokers)?;
    let mut assignment = TopicPartitionList::new();
    // Per partition: the high watermark when the read started (messages from there on
    // belong to the next request).
    let mut ends: HashMap<i32, i64> = HashMap::new();
    for partition in partitions(&consumer, topic, deadline)? {
        let (low, high) = watermarks(&consumer, topic, partition, deadline)?;
        if high > low {
            let start = low.max(high - NEWEST_PER_PARTITION);
            assignment.add_partition_offset(topic, partition, Offset::Offset(start))?;
            ends.insert(partition, high);
        }
    }
    let mut messages = Vec::new();
    if ends.is_empty() {
        return Ok(messages);
    }
    consumer.assign(&assignment)?;
    while !ends.is_empty() {
        match consumer.poll(time_left(deadline)?) {
            None => {}
            Some(Err(KafkaError::PartitionEOF(partition))) => {
                ends.remove(&partition);
            }
            Some(Err(err)) => return Err(err).context("reading the DLQ topic"),
            Some(Ok(message)) => {
                let Some(&end) = ends.get(&message.partition()) else {
                    continue;
                };
                if message.offset() < end {
                    messages.push(raw(&message));
                }
                if message.offset() >= end - 1 {
                    ends.remove(&message.partition());
                }
            }
        }
    }
    Ok(messages)
}

fn read_one(brokers: &str, id: LetterId) -> anyhow::Result<Option<RawMessage>> {
    let deadline = Instant::now() + READ_TIMEOUT;
    let topic = id.topic.as_str();
    let consumer = reader(brokers)?;
    if !partitions(&consumer, topic, deadline)?.contains(&id.partition) {
        return Ok(None);
    }
    let (low, high) = watermarks(&consumer, topic, id.partition, deadline)?;
    if !(low..high).contains(&id.offset) {
        return Ok(None);
    }
    let mut assignment = TopicPartitionList::new();
    assignment.add_partition_offset(topic, id.partition, Offset::Offset(id.offset))?;
    consumer.assign(&assignment)?;
    loop {
        match consumer.poll(time_left(deadline)?) {
            None => {}
            Some(Err(KafkaError::PartitionEOF(_))) => return Ok(None),
            Some(Err(err)) => return Err(err).context("reading the dead letter"),
            // A later offset: the wanted one is a gap (compacted or a transaction marker).
            Some(Ok(message)) if message.offset() > id.offset => return Ok(None),
            Some(Ok(message)) if message.offset() == id.offset => return Ok(Some(raw(&message))),
            Some(Ok(_)) => {}
        }
    }
}

fn raw(message: &BorrowedMessage<'_>) -> RawMessage {
    let headers = message
        .headers()
        .map(|headers| {
            headers
                .iter()
                .map(|h| (h.key.to_owned(), h.value.map(<[u8]>::to_vec)))
                .collect()
        })
        .unwrap_or_default();
    RawMessage {
        partition: message.partition(),
        offset: message.offset(),
        timestamp_ms: message.timestamp().to_millis(),
        key: message.key().map(<[u8]>::to_vec),
        payload: message.payload().map(<[u8]>::to_vec),
        headers,
    }
}
