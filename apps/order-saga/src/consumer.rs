//! The consume loop: receive → parse → apply (or dead-letter) → commit, one message at a
//! time, each step in its own span.
//!
//! At-least-once: a message's offset is committed only after its transaction committed
//! (or its dead letter was acknowledged). A failure is retried with backoff until it
//! succeeds or the process stops; nothing is skipped. Applying is idempotent (the inbox
//! row), so a message consumed again after a crash changes nothing.

use api::orders::saga::{self, Applied};
use api::state::Redis;
use events::Envelope;
use kafka_consumer::offsets::{self, Offsets};
use kafka_consumer::{clients, dead_letter, receive, retry};
use rdkafka::consumer::{CommitMode, Consumer as _, StreamConsumer};
use rdkafka::error::KafkaError;
use rdkafka::message::{BorrowedMessage, Message};
use rdkafka::producer::FutureProducer;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::config::Config;

/// Counter of failed receives.
const CONSUME_ERRORS_METRIC: &str = "order_saga_consume_errors_total";
/// Counter of retried operations, labelled by operation.
const RETRIES_METRIC: &str = "order_saga_retries_total";

pub struct Consumer<'a> {
    config: &'a Config,
    db: &'a PgPool,
    redis: &'a Redis,
    consumer: StreamConsumer,
    producer: FutureProducer,
}

impl<'a> Consumer<'a> {
    pub fn new(config: &'a Config, db: &'a PgPool, redis: &'a Redis) -> Result<Self, KafkaError> {
        let consumer = clients::stream_consumer(
            &config.kafka_brokers,
            &config.consumer_group,
            "orderflow-order-saga",
        )?;
        let producer = clients::dlq_producer(&config.kafka_brokers, "orderflow-order-saga-dlq")?;
        Ok(Self {
            config,
            db,
            redis,
            consumer,
            producer,
        })
    }

    /// Consumes until `stop` turns true.
    pub async fn run(&self, mut stop: watch::Receiver<bool>) -> Result<(), KafkaError> {
        self.consumer
            .subscribe(&[self.config.events_topic.as_str()])?;
        tracing::info!(topic = %self.config.events_topic, "order saga consuming");
        // Everything handled so far: committed once more, synchronously, at shutdown, in
        // case an asynchronous commit was still in flight or failed.
        let mut handled = Offsets::new();
        while let Some(message) =
            receive::next_or_stop(&self.consumer, &mut stop, CONSUME_ERRORS_METRIC).await
        {
            let started = Instant::now();
            let done = match parse(&message) {
                Ok(envelope) => self.apply(&envelope, &mut stop).await,
                Err(err) => {
                    self.dead_letter(&message, err.reason_code(), &err.to_string(), &mut stop)
                        .await
                }
            };
            if !done {
                // Stopped while retrying: not committed, consumed again after the restart.
                break;
            }
            let position = (message.topic().to_owned(), message.partition());
            handled.insert(position, message.offset() + 1);
            self.commit(&message);
            metrics::histogram!("order_saga_event_seconds").record(started.elapsed());
        }
        if !handled.is_empty() {
            self.commit_all(&handled);
        }
        tracing::info!("order saga consumer stopped");
        Ok(())
    }

    /// One transaction on the orders database, retried while PostgreSQL is unreachable.
    #[tracing::instrument(name = "apply", skip_all, fields(event_id = %envelope.event_id, event_type = %envelope.event_type()))]
    async fn apply(&self, envelope: &Envelope, stop: &mut watch::Receiver<bool>) -> bool {
        let Some(applied) = retry::until_ok(RETRIES_METRIC, "apply inventory event", stop, || {
            saga::apply_inventory_event(self.db, self.redis, envelope)
        })
        .await
        else {
            return false;
        };
        let outcome = match &applied {
            Applied::Duplicate => "duplicate",
            Applied::Ignored => "ignored",
            Applied::Changed { .. } => "changed",
            Applied::Skipped { .. } => "skipped",
        };
        match &applied {
            Applied::Changed {
                order_id,
                from,
                to,
                canceled,
            } => tracing::info!(%order_id, %from, %to, canceled, "reservation changed"),
            Applied::Skipped { order_id, reason } => {
                tracing::warn!(%order_id, reason, "inventory event does not apply; skipped");
            }
            Applied::Duplicate => tracing::info!("inventory event applied before; skipped"),
            Applied::Ignored => tracing::debug!("not a reservation reply; ignored"),
        }
        metrics::counter!(
            "order_saga_events_total",
            "event_type" => envelope.event_type().as_str(),
            "outcome" => outcome
        )
        .increment(1);
        true
    }

    /// Publishes the message to the DLQ and waits for the acknowledgement, retrying:
    /// nothing is dropped silently.
    #[tracing::instrument(name = "dead-letter", skip_all, fields(reason_code))]
    async fn dead_letter(
        &self,
        message: &BorrowedMessage<'_>,
        reason_code: &'static str,
        reason: &str,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        tracing::warn!(
            topic = message.topic(),
            partition = message.partition(),
            offset = message.offset(),
            reason_code,
            reason,
            "dead-lettering message"
        );
        let published = retry::until_ok(RETRIES_METRIC, "publish dead letter", stop, || {
            dead_letter::publish(
                &self.producer,
                &self.config.dlq_topic,
                message,
                reason_code,
                reason,
            )
        })
        .await
        .is_some();
        if published {
            metrics::counter!("order_saga_dead_lettered_total", "reason" => reason_code)
                .increment(1);
        }
        published
    }

    /// Commits the message's offset asynchronously: a lost commit is superseded by the
    /// next one, and the last one at shutdown is synchronous; at worst a restart re-reads
    /// messages whose application is idempotent.
    #[tracing::instrument(name = "commit", skip_all)]
    fn commit(&self, message: &BorrowedMessage<'_>) {
        if let Err(err) = self.consumer.commit_message(message, CommitMode::Async) {
            tracing::warn!(error = %err, "offset commit failed; the next commit covers it");
        }
    }

    fn commit_all(&self, offsets: &Offsets) {
        let list = offsets::partition_list(offsets);
        if let Err(err) = self.consumer.commit(&list, CommitMode::Sync) {
            tracing::warn!(error = %err, "final offset commit failed");
        }
    }
}

/// Parses and validates the message; an empty payload gets a reason of its own.
#[tracing::instrument(name = "parse", skip_all)]
fn parse(message: &BorrowedMessage<'_>) -> Result<Envelope, events::EnvelopeError> {
    let payload = message.payload().unwrap_or_default();
    if payload.is_empty() {
        return Err(events::EnvelopeError::MalformedJson(
            "empty payload".to_owned(),
        ));
    }
    Envelope::parse(payload)
}
