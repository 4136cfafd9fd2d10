//! Claim → publish → mark, one PostgreSQL transaction per batch (docs/spec.md#outbox).
//!
//! Ordering per order: a row is claimable only while no earlier row of the same order is
//! pending (unpublished and not dead), so at any moment at most one row per order can be
//! claimed at all; `FOR UPDATE SKIP LOCKED` then stops two workers from claiming the same
//! row. A later row becomes claimable only after the transaction that published (or
//! dead-lettered) the earlier one committed. A row waiting for its backoff blocks the
//! later rows of its order. See docs/decisions-pipeline.md.

use std::time::{Duration, Instant};

use futures::future::join_all;
use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use rdkafka::util::Timeout;
use sqlx::postgres::{PgListener, PgPool};
use uuid::Uuid;

use crate::config::Config;

/// The channel the `outbox_events` insert trigger notifies (migration `outbox_notify`).
pub const NOTIFY_CHANNEL: &str = "outbox_events";
/// `error_code` of a dead letter written by the worker.
pub const EXHAUSTED_CODE: &str = "publish_attempts_exhausted";
const MAX_ERROR_CHARS: usize = 1_000;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("kafka client: {0}")]
    Kafka(#[from] KafkaError),
    /// librdkafka declared the producer unusable; only a new process (a new producer) helps.
    #[error("fatal producer error: {0}")]
    FatalProducer(String),
}

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    pub claimed: usize,
    pub published: usize,
    pub failed: usize,
    pub dead: usize,
}

/// The retry delay after `attempts` failed attempts: `min(2^attempts × unit, max)`.
pub fn backoff(attempts: i32, unit: Duration, max: Duration) -> Duration {
    let exponent = attempts.clamp(0, 31) as u32;
    unit.checked_mul(1u32 << exponent)
        .map_or(max, |delay| delay.min(max))
}

pub struct Worker {
    config: Config,
    pool: PgPool,
    producer: FutureProducer,
    dlq_producer: FutureProducer,
}

struct Claimed {
    id: Uuid,
    aggregate_id: Uuid,
    event_type: String,
    payload: String,
    publish_attempts: i32,
}

impl Worker {
    /// Builds the clients without connecting; PostgreSQL and the broker may still be down.
    pub fn new(config: Config) -> Result<Self, WorkerError> {
        let pool = platform::db::lazy_pool(&config.database_url, 4)?;
        let producer = new_producer(&config.kafka_brokers, config.message_timeout)?;
        let dlq_producer = new_producer(&config.dlq_kafka_brokers, config.message_timeout)?;
        Ok(Self {
            config,
            pool,
            producer,
            dlq_producer,
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Works until `shutdown` resolves: a batch right away, another at once while batches
    /// come back full, otherwise waits for a `NOTIFY` or the poll interval. Returns an error
    /// only when the producer is beyond repair (the process should exit and be restarted).
    pub async fn run(
        &self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), WorkerError> {
        tokio::pin!(shutdown);
        let mut listener = None;
        loop {
            if listener.is_none() {
                listener = self.listen().await;
            }
            let claimed = match self.run_batch().await {
                Ok(outcome) => outcome.claimed,
                Err(err @ WorkerError::FatalProducer(_)) => {
                    tracing::error!(error = %err, "stopping: the producer cannot recover");
                    return Err(err);
                }
                Err(err) => {
                    metrics::counter!("outbox_batch_errors_total").increment(1);
                    tracing::error!(error = %err, "outbox batch failed");
                    0
                }
            };
            self.record_lag().await;
            if claimed >= self.config.batch_size as usize {
                tokio::select! {
                    biased;
                    () = &mut shutdown => break,
                    () = std::future::ready(()) => continue,
                }
            }
            tokio::select! {
                () = &mut shutdown => break,
                () = wait_for_notification(&mut listener, self.config.poll_interval) => {}
            }
        }
        tracing::info!("outbox worker stopped");
        Ok(())
    }

    async fn listen(&self) -> Option<PgListener> {
        let attempt = async {
            let mut listener = PgListener::connect_with(&self.pool).await?;
            listener.listen(NOTIFY_CHANNEL).await?;
            Ok::<_, sqlx::Error>(listener)
        };
        match attempt.await {
            Ok(listener) => Some(listener),
            Err(err) => {
                tracing::warn!(error = %err, "cannot LISTEN; relying on the poll interval");
                None
            }
        }
    }

    /// Claims, publishes and marks one batch; returns what happened.
    pub async fn run_batch(&self) -> Result<BatchOutcome, WorkerError> {
        let started = Instant::now();
        let mut tx = self.pool.begin().await?;
        let rows = sqlx::query!(
            r#"
            SELECT o.id, o.aggregate_id, o.event_type, o.payload_json, o.publish_attempts
            FROM outbox_events o
            WHERE o.published_at IS NULL
              AND o.dead_at IS NULL
              AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= now())
              AND NOT EXISTS (
                  SELECT 1 FROM outbox_events e
                  WHERE e.aggregate_id = o.aggregate_id
                    AND e.published_at IS NULL
                    AND e.dead_at IS NULL
                    AND (e.created_at, e.id) < (o.created_at, o.id))
            ORDER BY o.created_at, o.id
            LIMIT $1
            FOR UPDATE OF o SKIP LOCKED
            "#,
            i64::from(self.config.batch_size)
        )
        .fetch_all(&mut *tx)
        .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(BatchOutcome::default());
        }
        let claimed: Vec<Claimed> = rows
            .into_iter()
            .map(|row| Claimed {
                id: row.id,
                aggregate_id: row.aggregate_id,
                event_type: row.event_type,
                payload: row.payload_json.to_string(),
                publish_attempts: row.publish_attempts,
            })
            .collect();

        // The row locks are held while publishing: nobody else can publish these rows, and
        // nobody can claim a later row of these orders before this transaction commits.
        let results = join_all(claimed.iter().map(|row| {
            send(
                &self.producer,
                &self.config.events_topic,
                row,
                OwnedHeaders::new()
                    .insert(header("event_id", &row.id.to_string()))
                    .insert(header("event_type", &row.event_type)),
            )
        }))
        .await;
        // A fatal producer error fails every delivery without the broker being at fault:
        // roll back (the transaction is dropped) instead of charging the rows an attempt.
        for producer in [&self.producer, &self.dlq_producer] {
            if let Some((code, reason)) = producer.client().fatal_error() {
                return Err(WorkerError::FatalProducer(format!("{code:?}: {reason}")));
            }
        }

        let mut published = Vec::new();
        let mut failed = Vec::new();
        for (row, result) in claimed.iter().zip(results) {
            match result {
                Ok(()) => published.push(row.id),
                Err(err) => failed.push((row, err.to_string())),
            }
        }

        let failures = self.settle_failures(&failed).await;
        let dead = failures.iter().filter(|f| f.dead).count();

        sqlx::query!(
            "UPDATE outbox_events SET published_at = now(), last_error = NULL, next_attempt_at = NULL
             WHERE id = ANY($1)",
            &published
        )
        .execute(&mut *tx)
        .await?;
        if !failures.is_empty() {
            let ids: Vec<Uuid> = failures.iter().map(|f| f.id).collect();
            let attempts: Vec<i32> = failures.iter().map(|f| f.attempts).collect();
            let errors: Vec<String> = failures.iter().map(|f| f.error.clone()).collect();
            let delays: Vec<f64> = failures.iter().map(|f| f.delay_ms).collect();
            let dead_flags: Vec<bool> = failures.iter().map(|f| f.dead).collect();
            sqlx::query!(
                r#"
                UPDATE outbox_events o
                SET publish_attempts = f.attempts,
                    last_error = f.error,
                    next_attempt_at = CASE WHEN f.dead THEN NULL
                                           ELSE now() + f.delay_ms * interval '1 millisecond' END,
                    dead_at = CASE WHEN f.dead THEN now() END
                FROM UNNEST($1::uuid[], $2::int4[], $3::text[], $4::float8[], $5::bool[])
                     AS f(id, attempts, error, delay_ms, dead)
                WHERE o.id = f.id
                "#,
                &ids,
                &attempts,
                &errors,
                &delays,
                &dead_flags
            )
            .execute(&mut *tx)
            .await?;
        }
        // If this commit fails the rows stay pending and are published again later:
        // at-least-once, consumers de-duplicate by event_id.
        tx.commit().await?;

        let outcome = BatchOutcome {
            claimed: claimed.len(),
            published: published.len(),
            failed: failures.len() - dead,
            dead,
        };
        metrics::counter!("outbox_published_total").increment(outcome.published as u64);
        metrics::counter!("outbox_failed_total").increment(failures.len() as u64);
        metrics::counter!("outbox_dead_total").increment(outcome.dead as u64);
        metrics::histogram!("outbox_batch_duration_seconds")
            .record(started.elapsed().as_secs_f64());
        if !failures.is_empty() {
            tracing::warn!(
                claimed = outcome.claimed,
                published = outcome.published,
                failed = outcome.failed,
                dead = outcome.dead,
                "outbox batch had failures"
            );
        }
        Ok(outcome)
    }

    /// Decides each failed row's fate; rows out of attempts go to the dead-letter topic,
    /// and are marked dead only if that publish was acknowledged too.
    async fn settle_failures(&self, failed: &[(&Claimed, String)]) -> Vec<Failure> {
        let max_attempts = self.config.max_attempts;
        let exhausted: Vec<_> = failed
            .iter()
            .filter(|(row, _)| row.publish_attempts + 1 >= max_attempts)
            .collect();
        let dead_letters = join_all(exhausted.iter().map(|(row, error)| {
            let attempts = row.publish_attempts + 1;
            let reason = format!("publish failed {attempts} times, last error: {error}");
            let letter = events::DeadLetter::new(
                row.payload.as_bytes(),
                EXHAUSTED_CODE,
                reason.clone(),
                &self.config.events_topic,
                chrono::Utc::now(),
            );
            let payload = serde_json::to_string(&letter).expect("dead letter is plain JSON");
            async move {
                let dead_row = Claimed {
                    id: row.id,
                    aggregate_id: row.aggregate_id,
                    event_type: row.event_type.clone(),
                    payload,
                    publish_attempts: attempts,
                };
                let headers = OwnedHeaders::new()
                    .insert(header("event_id", &row.id.to_string()))
                    .insert(header("error_code", EXHAUSTED_CODE))
                    .insert(header("error_reason", &truncate(&reason)));
                (
                    row.id,
                    send(
                        &self.dlq_producer,
                        &self.config.dlq_topic,
                        &dead_row,
                        headers,
                    )
                    .await,
                )
            }
        }))
        .await;

        failed
            .iter()
            .map(|(row, error)| {
                let attempts = row.publish_attempts + 1;
                let dead_letter = dead_letters.iter().find(|(id, _)| *id == row.id);
                let (dead, error) = match dead_letter {
                    Some((_, Ok(()))) => (true, error.clone()),
                    Some((_, Err(dlq_err))) => (
                        false,
                        format!("{error}; dead-letter publish failed too: {dlq_err}"),
                    ),
                    None => (false, error.clone()),
                };
                let delay = backoff(attempts, self.config.backoff_unit, self.config.backoff_max);
                Failure {
                    id: row.id,
                    attempts,
                    error: truncate(&error),
                    delay_ms: delay.as_secs_f64() * 1_000.0,
                    dead,
                }
            })
            .collect()
    }

    /// Age of the oldest pending row, as the `outbox_lag_seconds` gauge (0 when none).
    pub async fn record_lag(&self) {
        let lag = sqlx::query_scalar!(
            r#"SELECT EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS "lag"
               FROM outbox_events WHERE published_at IS NULL AND dead_at IS NULL"#
        )
        .fetch_one(&self.pool)
        .await;
        match lag {
            Ok(lag) => metrics::gauge!("outbox_lag_seconds").set(lag.unwrap_or(0.0).max(0.0)),
            Err(err) => tracing::warn!(error = %err, "cannot measure outbox lag"),
        }
    }
}

struct Failure {
    id: Uuid,
    attempts: i32,
    error: String,
    delay_ms: f64,
    dead: bool,
}

fn new_producer(brokers: &str, message_timeout: Duration) -> Result<FutureProducer, KafkaError> {
    ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("client.id", "orderflow-outbox-worker")
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set(
            "message.timeout.ms",
            message_timeout.as_millis().to_string(),
        )
        .set("linger.ms", "5")
        .set("log_level", "3")
        .create()
}

fn header<'a>(key: &'a str, value: &'a str) -> Header<'a, &'a str> {
    Header {
        key,
        value: Some(value),
    }
}

/// Publishes one row keyed by its order id and waits for the broker's acknowledgement.
async fn send(
    producer: &FutureProducer,
    topic: &str,
    row: &Claimed,
    headers: OwnedHeaders,
) -> Result<(), KafkaError> {
    let key = row.aggregate_id.to_string();
    let record = FutureRecord::to(topic)
        .key(&key)
        .payload(&row.payload)
        .headers(headers);
    producer
        .send(record, Timeout::Never)
        .await
        .map(|_| ())
        .map_err(|(err, _message)| err)
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_ERROR_CHARS).collect()
}

async fn wait_for_notification(listener: &mut Option<PgListener>, poll_interval: Duration) {
    let Some(active) = listener else {
        tokio::time::sleep(poll_interval).await;
        return;
    };
    tokio::select! {
        received = active.recv() => match received {
            // Drain what is already buffered: one batch serves many notifications.
            Ok(_) => while active.next_buffered().is_some() {},
            Err(err) => {
                tracing::warn!(error = %err, "LISTEN connection failed; it reconnects on the next wait");
                tokio::time::sleep(poll_interval).await;
            }
        },
        () = tokio::time::sleep(poll_interval) => {}
    }
}

/// Flushes anything still queued (nothing normally: every batch awaits its deliveries).
pub fn flush(worker: &Worker, timeout: Duration) {
    let _ = worker.producer.flush(Timeout::After(timeout));
    let _ = worker.dlq_producer.flush(Timeout::After(timeout));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        let unit = Duration::from_secs(1);
        let max = Duration::from_secs(300);
        let delays: Vec<u64> = (1..=10)
            .map(|attempts| backoff(attempts, unit, max).as_secs())
            .collect();
        assert_eq!(delays, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(backoff(1_000, unit, max), max);
        assert_eq!(backoff(-3, unit, max), unit);
    }
}
