//! The consume → validate → write (or dead-letter) → commit loop.
//!
//! At-least-once: a message's offset is committed only after MongoDB acknowledged its write
//! or the broker acknowledged its dead letter. Writes are idempotent (unique `event_id`,
//! `$set` by `(sku, window_start)`), so a replay after a crash changes nothing.

use std::collections::HashMap;
use std::time::Duration;

use events::{DeadLetter, Envelope};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::statistics::Statistics;
use rdkafka::util::Timeout;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tokio::sync::watch;

use crate::config::Config;
use crate::stats::SkuStat;
use crate::store::{Inserted, Store};

const FIRST_RETRY_DELAY: Duration = Duration::from_millis(100);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(5);

#[derive(Debug, thiserror::Error)]
pub enum ProjectorError {
    #[error("mongodb: {0}")]
    Mongo(#[from] mongodb::error::Error),
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
}

/// Turns librdkafka's periodic statistics into the `projector_consumer_lag` gauge
/// (messages between the committed offset and the end of each assigned partition).
pub struct LagContext;

impl ClientContext for LagContext {
    fn stats(&self, statistics: Statistics) {
        for (topic, stats) in statistics.topics {
            for (partition, stats) in stats.partitions {
                // -1 is librdkafka's internal "unassigned" partition; negative lag = unknown.
                if partition < 0 || stats.consumer_lag < 0 {
                    continue;
                }
                metrics::gauge!(
                    "projector_consumer_lag",
                    "topic" => topic.clone(),
                    "partition" => partition.to_string()
                )
                .set(stats.consumer_lag as f64);
            }
        }
    }
}

impl ConsumerContext for LagContext {}

pub struct Projector {
    config: Config,
    store: Store,
    consumer: StreamConsumer<LagContext>,
    producer: FutureProducer,
}

impl Projector {
    /// Builds the clients; nothing connects yet (MongoDB and the broker may still be down).
    pub async fn new(config: Config) -> Result<Self, ProjectorError> {
        let store = Store::connect(&config.mongodb_url).await?;
        let consumer = ClientConfig::new()
            .set("bootstrap.servers", &config.kafka_brokers)
            .set("group.id", &config.consumer_group)
            .set("client.id", "orderflow-projector")
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("statistics.interval.ms", "5000")
            .set("log_level", "3")
            .create_with_context(LagContext)?;
        let producer = ClientConfig::new()
            .set("bootstrap.servers", &config.kafka_brokers)
            .set("client.id", "orderflow-projector-dlq")
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("message.timeout.ms", "10000")
            .set("log_level", "3")
            .create()?;
        Ok(Self {
            config,
            store,
            consumer,
            producer,
        })
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Consumes until `stop` turns true. Indexes are created first (retried while MongoDB
    /// is unreachable).
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> Result<(), ProjectorError> {
        if retry("create indexes", &mut stop, || self.store.ensure_indexes())
            .await
            .is_none()
        {
            return Ok(());
        }
        self.consumer.subscribe(&[
            self.config.events_topic.as_str(),
            self.config.sku_stats_topic.as_str(),
        ])?;
        tracing::info!("projector consuming");

        let mut processed: HashMap<(String, i32), i64> = HashMap::new();
        loop {
            let received = tokio::select! {
                biased;
                _ = stop.wait_for(|stop| *stop) => break,
                received = self.consumer.recv() => received,
            };
            let message = match received {
                Ok(message) => message.detach(),
                Err(err) => {
                    tracing::warn!(error = %err, "consume failed");
                    metrics::counter!("projector_consume_errors_total").increment(1);
                    tokio::time::sleep(FIRST_RETRY_DELAY).await;
                    continue;
                }
            };
            metrics::counter!("projector_consumed_total", "topic" => message.topic().to_owned())
                .increment(1);
            if !self.handle(&message, &mut stop).await {
                // Interrupted by shutdown before the write was acknowledged: not committed,
                // the message is consumed again after the restart.
                break;
            }
            let mut offsets = TopicPartitionList::new();
            offsets.add_partition_offset(
                message.topic(),
                message.partition(),
                Offset::Offset(message.offset() + 1),
            )?;
            if let Err(err) = self.consumer.commit(&offsets, CommitMode::Async) {
                tracing::warn!(error = %err, "offset commit failed; will be retried by the next commit");
            }
            processed.insert(
                (message.topic().to_owned(), message.partition()),
                message.offset() + 1,
            );
        }

        // Async commits may still be in flight: commit the last processed offsets for sure.
        if !processed.is_empty() {
            let mut offsets = TopicPartitionList::new();
            for ((topic, partition), offset) in &processed {
                offsets.add_partition_offset(topic, *partition, Offset::Offset(*offset))?;
            }
            if let Err(err) = self.consumer.commit(&offsets, CommitMode::Sync) {
                tracing::warn!(error = %err, "final offset commit failed");
            }
        }
        tracing::info!("projector stopped");
        Ok(())
    }

    /// Writes or dead-letters one message; `false` when shutdown interrupted the retries.
    async fn handle(&self, message: &OwnedMessage, stop: &mut watch::Receiver<bool>) -> bool {
        let payload = message.payload().unwrap_or_default();
        if message.topic() == self.config.events_topic {
            match Envelope::parse(payload) {
                Ok(envelope) => {
                    let Some(inserted) = retry("insert order event", stop, || {
                        self.store.insert_event(&envelope)
                    })
                    .await
                    else {
                        return false;
                    };
                    if inserted == Inserted::AlreadyThere {
                        metrics::counter!("projector_duplicates_total").increment(1);
                    }
                    metrics::counter!("projector_written_total", "collection" => "order_events")
                        .increment(1);
                    true
                }
                Err(err) => {
                    self.dead_letter(message, err.reason_code(), err.to_string(), stop)
                        .await
                }
            }
        } else if message.topic() == self.config.sku_stats_topic {
            match SkuStat::parse(payload) {
                Ok(stat) => {
                    if retry("upsert sku stat", stop, || self.store.upsert_stat(&stat))
                        .await
                        .is_none()
                    {
                        return false;
                    }
                    metrics::counter!("projector_written_total", "collection" => "sku_stats")
                        .increment(1);
                    true
                }
                Err(err) => {
                    self.dead_letter(message, err.reason_code(), err.to_string(), stop)
                        .await
                }
            }
        } else {
            tracing::warn!(topic = message.topic(), "message from an unexpected topic");
            true
        }
    }

    /// Publishes the original payload plus the reason to the DLQ topic and waits for the
    /// acknowledgement (retrying: nothing is dropped silently).
    async fn dead_letter(
        &self,
        message: &OwnedMessage,
        reason_code: &str,
        reason: String,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        let payload = message.payload().unwrap_or_default();
        let reason = if payload.is_empty() {
            "empty payload".to_owned()
        } else {
            reason
        };
        tracing::warn!(
            topic = message.topic(),
            partition = message.partition(),
            offset = message.offset(),
            reason_code,
            reason = %reason,
            "dead-lettering message"
        );
        let letter = DeadLetter::new(
            payload,
            reason_code,
            reason.clone(),
            message.topic(),
            chrono::Utc::now(),
        );
        let body = serde_json::to_string(&letter).expect("dead letter is plain JSON");
        let partition = message.partition().to_string();
        let offset = message.offset().to_string();
        let key = message.key().unwrap_or_default();
        let delivered = retry("publish dead letter", stop, || async {
            let headers = OwnedHeaders::new()
                .insert(header("error_reason", &reason))
                .insert(header("error_code", reason_code))
                .insert(header("source_topic", message.topic()))
                .insert(header("source_partition", &partition))
                .insert(header("source_offset", &offset));
            self.producer
                .send(
                    FutureRecord::to(&self.config.dlq_topic)
                        .key(key)
                        .payload(&body)
                        .headers(headers),
                    Timeout::Never,
                )
                .await
                .map_err(|(err, _)| err)
        })
        .await;
        if delivered.is_some() {
            metrics::counter!("projector_dead_lettered_total", "reason" => reason_code.to_owned())
                .increment(1);
        }
        delivered.is_some()
    }
}

fn header<'a>(key: &'a str, value: &'a str) -> Header<'a, &'a str> {
    Header {
        key,
        value: Some(value),
    }
}

/// Retries `operation` with exponential backoff until it succeeds (`Some`) or `stop`
/// turns true (`None`).
async fn retry<T, E, F, Fut>(
    what: &str,
    stop: &mut watch::Receiver<bool>,
    mut operation: F,
) -> Option<T>
where
    E: std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let mut delay = FIRST_RETRY_DELAY;
    loop {
        if *stop.borrow() {
            return None;
        }
        match operation().await {
            Ok(value) => return Some(value),
            Err(err) => {
                tracing::warn!(operation = what, error = %err, retry_in_ms = delay.as_millis() as u64, "retrying");
                metrics::counter!("projector_retries_total", "operation" => what.to_owned())
                    .increment(1);
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    _ = stop.wait_for(|stop| *stop) => return None,
                }
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
        }
    }
}
