//! The batch loop: poll batch → validate → write events ∥ write stock events ∥ write stats
//! ∥ dead-letter → commit.
//!
//! At-least-once: a batch's offsets are committed only after MongoDB acknowledged its
//! writes and the broker its dead letters; a failure is retried (the batch is kept, nothing
//! is committed) until it succeeds or the process stops. Writes are idempotent (unique
//! `event_id`; `$set` by `(sku, currency, window_start)`), so a replay changes nothing.

use futures::future::join_all;
use kafka_consumer::offsets::{self, Offsets};
use kafka_consumer::receive;
use kafka_consumer::retry::{self, Backoff};
use mongodb::Database;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{CommitMode, Consumer, ConsumerContext, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use rdkafka::statistics::Statistics;
use rdkafka::ClientContext;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::batch::{Batch, DeadLetterTopics, Topics};
use crate::config::Config;
use crate::dead_letter;

/// Counter of retried operations, labelled by operation.
const RETRIES_METRIC: &str = "projector_retries_total";
/// Counter of failed receives.
const CONSUME_ERRORS_METRIC: &str = "projector_consume_errors_total";

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
    topics: Topics,
    dead_letter_topics: DeadLetterTopics,
    database: Database,
    consumer: StreamConsumer<LagContext>,
    producer: FutureProducer,
}

impl Projector {
    /// Builds the clients; nothing connects yet (MongoDB and the broker may still be down).
    pub async fn new(config: Config) -> Result<Self, ProjectorError> {
        let client = mongodb::Client::with_uri_str(&config.mongodb_url).await?;
        let database = read_model::database(&client);
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
        let topics = Topics {
            events: config.events_topic.clone(),
            sku_stats: config.sku_stats_topic.clone(),
            inventory_events: config.inventory_events_topic.clone(),
        };
        let dead_letter_topics = DeadLetterTopics {
            orders: config.dlq_topic.clone(),
            inventory: config.inventory_dlq_topic.clone(),
        };
        Ok(Self {
            config,
            topics,
            dead_letter_topics,
            database,
            consumer,
            producer,
        })
    }

    pub fn database(&self) -> &Database {
        &self.database
    }

    /// Consumes until `stop` turns true. Indexes are created first (retried while MongoDB
    /// is unreachable).
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> Result<(), ProjectorError> {
        if retry::until_ok(RETRIES_METRIC, "create indexes", &mut stop, || {
            read_model::ensure_indexes(&self.database)
        })
        .await
        .is_none()
        {
            return Ok(());
        }
        self.consumer.subscribe(&[
            self.topics.events.as_str(),
            self.topics.sku_stats.as_str(),
            self.topics.inventory_events.as_str(),
        ])?;
        tracing::info!("projector consuming");

        // Everything written so far, per partition: committed once more, synchronously, at
        // shutdown, in case an asynchronous commit was still in flight or failed.
        let mut written = Offsets::new();
        // Messages received while the previous batch was being written: the next batch.
        let mut early = Vec::new();
        while let Some(messages) = self.poll_batch(std::mem::take(&mut early), &mut stop).await {
            let started = Instant::now();
            let batch = self.validate(messages);
            let writes = async {
                let (events, stock_events, stats, letters) = tokio::join!(
                    self.write_events(&batch, stop.clone()),
                    self.write_stock_events(&batch, stop.clone()),
                    self.write_stats(&batch, stop.clone()),
                    self.dead_letter(&batch, stop.clone()),
                );
                events && stock_events && stats && letters
            };
            // Pipelined: the next batch is consumed while this one is written; only this
            // batch's offsets are committed below.
            let acknowledged = self.receive_while(writes, &mut early).await;
            if !acknowledged {
                // Interrupted by shutdown before everything was acknowledged: not committed,
                // the batch is consumed again after the restart.
                break;
            }
            self.commit(&batch.offsets, CommitMode::Async);
            written.extend(batch.offsets);
            metrics::histogram!("projector_batch_seconds").record(started.elapsed());
        }
        if !written.is_empty() {
            self.commit(&written, CommitMode::Sync);
        }
        tracing::info!("projector stopped");
        Ok(())
    }

    /// Drives `writes` to completion while receiving into `early` (up to a batch).
    async fn receive_while(
        &self,
        writes: impl std::future::Future<Output = bool>,
        early: &mut Vec<OwnedMessage>,
    ) -> bool {
        tokio::pin!(writes);
        loop {
            tokio::select! {
                biased;
                acknowledged = &mut writes => return acknowledged,
                received = self.consumer.recv(), if early.len() < self.config.batch_max_messages => {
                    match received {
                        Ok(message) => early.push(message.detach()),
                        Err(err) => {
                            tracing::warn!(error = %err, "consume failed");
                            metrics::counter!(CONSUME_ERRORS_METRIC).increment(1);
                        }
                    }
                }
            }
        }
    }

    /// Starts from `early` (messages already received) or waits for a first message, then
    /// collects more until the batch is full or its time is up. `None` when `stop` turned
    /// true while waiting.
    #[tracing::instrument(name = "poll batch", skip_all, fields(messages))]
    async fn poll_batch(
        &self,
        mut messages: Vec<OwnedMessage>,
        stop: &mut watch::Receiver<bool>,
    ) -> Option<Vec<OwnedMessage>> {
        if messages.is_empty() {
            messages.push(self.first_message(stop).await?);
        }
        let deadline = Instant::now() + self.config.batch_max_wait;
        while messages.len() < self.config.batch_max_messages {
            match tokio::time::timeout_at(deadline, self.consumer.recv()).await {
                Err(_elapsed) => break,
                Ok(Ok(message)) => messages.push(message.detach()),
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "consume failed");
                    metrics::counter!(CONSUME_ERRORS_METRIC).increment(1);
                    break;
                }
            }
        }
        tracing::Span::current().record("messages", messages.len());
        Some(messages)
    }

    /// The next message, waiting as long as it takes; `None` when `stop` turned true.
    async fn first_message(&self, stop: &mut watch::Receiver<bool>) -> Option<OwnedMessage> {
        receive::next_or_stop(&self.consumer, stop, CONSUME_ERRORS_METRIC)
            .await
            .map(|message| message.detach())
    }

    #[tracing::instrument(name = "validate", skip_all, fields(messages = messages.len()))]
    fn validate(&self, messages: Vec<OwnedMessage>) -> Batch {
        let batch = Batch::validate(messages, &self.topics, &self.dead_letter_topics);
        for (topic, count) in &batch.consumed {
            metrics::counter!("projector_consumed_total", "topic" => topic.clone())
                .increment(*count as u64);
        }
        metrics::histogram!("projector_batch_messages").record(batch.messages() as f64);
        batch
    }

    /// One unordered bulk insert into `order_events`; duplicates count as written.
    #[tracing::instrument(name = "write events", skip_all, fields(events = batch.events.len()))]
    async fn write_events(&self, batch: &Batch, mut stop: watch::Receiver<bool>) -> bool {
        if batch.events.is_empty() {
            return true;
        }
        let Some(written) =
            retry::until_ok(RETRIES_METRIC, "insert order events", &mut stop, || {
                read_model::insert_events(&self.database, &batch.events)
            })
            .await
        else {
            return false;
        };
        metrics::counter!("projector_duplicates_total").increment(written.duplicates as u64);
        metrics::counter!("projector_written_total", "collection" => read_model::order_events::COLLECTION)
            .increment(batch.events.len() as u64);
        true
    }

    /// One unordered bulk insert into `stock_events`; duplicates count as written.
    #[tracing::instrument(name = "write stock events", skip_all, fields(events = batch.stock_events.len()))]
    async fn write_stock_events(&self, batch: &Batch, mut stop: watch::Receiver<bool>) -> bool {
        if batch.stock_events.is_empty() {
            return true;
        }
        let Some(written) =
            retry::until_ok(RETRIES_METRIC, "insert stock events", &mut stop, || {
                read_model::insert_stock_events(&self.database, &batch.stock_events)
            })
            .await
        else {
            return false;
        };
        metrics::counter!("projector_duplicates_total").increment(written.duplicates as u64);
        metrics::counter!("projector_written_total", "collection" => read_model::stock_events::COLLECTION)
            .increment(batch.stock_events.len() as u64);
        true
    }

    /// The last value per key, upserted in one bulk command.
    #[tracing::instrument(name = "write stats", skip_all, fields(stats = batch.stats.len(), coalesced = batch.coalesced))]
    async fn write_stats(&self, batch: &Batch, mut stop: watch::Receiver<bool>) -> bool {
        if batch.stats.is_empty() {
            return true;
        }
        if retry::until_ok(RETRIES_METRIC, "upsert sku stats", &mut stop, || {
            read_model::sku_stats::upsert_stats(&self.database, &batch.stats)
        })
        .await
        .is_none()
        {
            return false;
        }
        metrics::counter!("projector_coalesced_total").increment(batch.coalesced as u64);
        metrics::counter!("projector_written_total", "collection" => read_model::sku_stats::COLLECTION)
            .increment(batch.stats.len() as u64);
        true
    }

    /// Publishes every rejected message to the DLQ and waits for all acknowledgements,
    /// retrying the ones that failed: nothing is dropped silently.
    #[tracing::instrument(name = "dead-letter", skip_all, fields(rejected = batch.rejected.len()))]
    async fn dead_letter(&self, batch: &Batch, mut stop: watch::Receiver<bool>) -> bool {
        let mut pending: Vec<_> = batch.rejected.iter().collect();
        for rejected in &pending {
            let message = &rejected.message;
            tracing::warn!(
                topic = message.topic(),
                dlq_topic = rejected.dlq_topic,
                partition = message.partition(),
                offset = message.offset(),
                reason_code = rejected.reason_code,
                reason = %rejected.reason,
                "dead-lettering message"
            );
        }
        let mut delays = Backoff::default();
        while !pending.is_empty() {
            let results = join_all(
                pending
                    .iter()
                    .map(|rejected| dead_letter::publish(&self.producer, rejected)),
            )
            .await;
            let mut failed = Vec::new();
            for (rejected, result) in pending.into_iter().zip(results) {
                match result {
                    Ok(()) => metrics::counter!(
                        "projector_dead_lettered_total",
                        "reason" => rejected.reason_code
                    )
                    .increment(1),
                    Err(err) => {
                        tracing::warn!(error = %err, "publishing a dead letter failed");
                        failed.push(rejected);
                    }
                }
            }
            pending = failed;
            if pending.is_empty() {
                break;
            }
            metrics::counter!(RETRIES_METRIC, "operation" => "publish dead letter").increment(1);
            let delay = delays.next().expect("backoff is endless");
            if !retry::pause(delay, &mut stop).await {
                return false;
            }
        }
        true
    }

    /// Commits `offsets` (next offset to read per partition). Asynchronous while running: a
    /// lost commit is superseded by the next one, and the final one at shutdown is
    /// synchronous; at worst a restart re-reads messages whose writes are idempotent.
    #[tracing::instrument(name = "commit", skip_all, fields(partitions = offsets.len()))]
    fn commit(&self, offsets: &Offsets, mode: CommitMode) {
        if let Err(err) = self
            .consumer
            .commit(&offsets::partition_list(offsets), mode)
        {
            tracing::warn!(error = %err, "offset commit failed; the next commit covers it");
        }
    }
}
