//! The consume loop: poll a batch → per partition, in order: parse → handle (one
//! transaction per event) or dead-letter → commit offsets.
//!
//! At-least-once with an inbox: offsets are committed only after every event of the batch
//! committed its transaction (or its dead letter was acknowledged); a redelivery after a
//! crash finds the event's inbox row and changes nothing. An unreachable PostgreSQL or
//! broker is retried with backoff until it answers or the process stops: nothing is
//! skipped. Partitions are handled concurrently; within one, strictly in offset order (an
//! order's events share a key, so a partition).

use std::collections::BTreeMap;
use std::time::Duration;

use events::Envelope;
use futures::future::join_all;
use kafka_consumer::offsets::{self, Offsets};
use kafka_consumer::{clients, dead_letter, receive, retry};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::Instant;

use super::service;
use crate::config::Config;

/// Counter of retried operations, labelled by operation.
const RETRIES_METRIC: &str = "inventory_retries_total";
/// Counter of failed receives.
const CONSUME_ERRORS_METRIC: &str = "inventory_consume_errors_total";

/// What the consumer needs from the configuration.
#[derive(Debug, Clone)]
pub struct ConsumerSettings {
    pub kafka_brokers: String,
    pub topic: String,
    pub dlq_topic: String,
    pub group: String,
    pub batch_max_messages: usize,
    pub batch_max_wait: Duration,
}

impl From<&Config> for ConsumerSettings {
    fn from(config: &Config) -> Self {
        Self {
            kafka_brokers: config.kafka_brokers.clone(),
            topic: config.orders_events_topic.clone(),
            dlq_topic: config.dlq_topic.clone(),
            group: config.consumer_group.clone(),
            batch_max_messages: config.batch_max_messages,
            batch_max_wait: config.batch_max_wait,
        }
    }
}

pub struct SagaConsumer {
    settings: ConsumerSettings,
    db: PgPool,
    consumer: StreamConsumer,
    producer: FutureProducer,
}

impl SagaConsumer {
    /// Builds the clients; nothing connects yet.
    pub fn new(settings: ConsumerSettings, db: PgPool) -> Result<Self, KafkaError> {
        let consumer = clients::stream_consumer(
            &settings.kafka_brokers,
            &settings.group,
            "orderflow-inventory",
        )?;
        let producer = clients::dlq_producer(&settings.kafka_brokers, "orderflow-inventory-dlq")?;
        Ok(Self {
            settings,
            db,
            consumer,
            producer,
        })
    }

    /// Consumes until `stop` turns true.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> Result<(), KafkaError> {
        self.consumer.subscribe(&[self.settings.topic.as_str()])?;
        tracing::info!(topic = %self.settings.topic, group = %self.settings.group, "saga consumer running");
        let mut done = Offsets::new();
        while let Some(messages) = self.poll_batch(&mut stop).await {
            let started = Instant::now();
            let offsets = offsets_of(&messages);
            if !self.process(messages, &stop).await {
                // Stopped before everything was handled: not committed, consumed again
                // after the restart (the inbox makes that harmless).
                break;
            }
            self.commit(&offsets, CommitMode::Async);
            done.extend(offsets);
            metrics::histogram!("inventory_batch_seconds").record(started.elapsed());
        }
        if !done.is_empty() {
            self.commit(&done, CommitMode::Sync);
        }
        tracing::info!("saga consumer stopped");
        Ok(())
    }

    /// Waits for a first message, then gathers more until the batch is full or its time
    /// is up. `None` once `stop` turned true.
    #[tracing::instrument(name = "poll batch", skip_all, fields(messages))]
    async fn poll_batch(&self, stop: &mut watch::Receiver<bool>) -> Option<Vec<OwnedMessage>> {
        let first = receive::next_or_stop(&self.consumer, stop, CONSUME_ERRORS_METRIC).await?;
        let mut messages = vec![first.detach()];
        let deadline = Instant::now() + self.settings.batch_max_wait;
        while messages.len() < self.settings.batch_max_messages {
            match tokio::time::timeout_at(deadline, self.consumer.recv()).await {
                Ok(Ok(message)) => messages.push(message.detach()),
                Ok(Err(err)) => {
                    tracing::warn!(error = %err, "consume failed");
                    metrics::counter!(CONSUME_ERRORS_METRIC).increment(1);
                    break;
                }
                Err(_elapsed) => break,
            }
        }
        tracing::Span::current().record("messages", messages.len());
        Some(messages)
    }

    /// Handles every message; `false` when `stop` interrupted it.
    #[tracing::instrument(name = "process batch", skip_all, fields(messages = messages.len()))]
    async fn process(&self, messages: Vec<OwnedMessage>, stop: &watch::Receiver<bool>) -> bool {
        let mut partitions: BTreeMap<i32, Vec<OwnedMessage>> = BTreeMap::new();
        for message in messages {
            partitions
                .entry(message.partition())
                .or_default()
                .push(message);
        }
        let results = join_all(partitions.into_values().map(|messages| {
            let mut stop = stop.clone();
            async move {
                for message in &messages {
                    if !self.process_one(message, &mut stop).await {
                        return false;
                    }
                }
                true
            }
        }))
        .await;
        results.into_iter().all(|done| done)
    }

    async fn process_one(&self, message: &OwnedMessage, stop: &mut watch::Receiver<bool>) -> bool {
        let payload = message.payload().unwrap_or_default();
        match Envelope::parse(payload) {
            Ok(envelope) => {
                let outcome = retry::until_ok(RETRIES_METRIC, "handle event", stop, || {
                    service::handle(&self.db, &envelope)
                })
                .await;
                match outcome {
                    Some(outcome) => {
                        metrics::counter!("inventory_saga_events_total", "outcome" => outcome.as_str())
                            .increment(1);
                        true
                    }
                    None => false,
                }
            }
            Err(err) => {
                let reason = if payload.is_empty() {
                    "empty payload".to_owned()
                } else {
                    err.to_string()
                };
                self.dead_letter(message, err.reason_code(), &reason, stop)
                    .await
            }
        }
    }

    #[tracing::instrument(name = "dead-letter", skip(self, message, stop), fields(partition = message.partition(), offset = message.offset()))]
    async fn dead_letter(
        &self,
        message: &OwnedMessage,
        reason_code: &'static str,
        reason: &str,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        tracing::warn!(reason_code, reason, "dead-lettering message");
        let published = retry::until_ok(RETRIES_METRIC, "publish dead letter", stop, || {
            dead_letter::publish(
                &self.producer,
                &self.settings.dlq_topic,
                message,
                reason_code,
                reason,
            )
        })
        .await;
        if published.is_some() {
            metrics::counter!("inventory_dead_lettered_total", "reason" => reason_code)
                .increment(1);
        }
        published.is_some()
    }

    /// Commits `offsets`. Asynchronous while running (a lost commit is superseded by the
    /// next); the final one at shutdown is synchronous.
    #[tracing::instrument(name = "commit", skip_all, fields(partitions = offsets.len()))]
    fn commit(&self, offsets: &Offsets, mode: CommitMode) {
        let list = offsets::partition_list(offsets);
        if let Err(err) = self.consumer.commit(&list, mode) {
            tracing::warn!(error = %err, "offset commit failed; the next commit covers it");
        }
    }
}

fn offsets_of(messages: &[OwnedMessage]) -> Offsets {
    let mut offsets = Offsets::new();
    for message in messages {
        let next = offsets
            .entry((message.topic().to_owned(), message.partition()))
            .or_insert(0);
        *next = (*next).max(message.offset() + 1);
    }
    offsets
}
