//! The worker: shared producers and one [`Relay`] loop per configured outbox.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::KafkaError;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::config::Config;
use crate::publish::Producers;
use crate::relay::Relay;

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("kafka client: {0}")]
    Kafka(#[from] KafkaError),
    /// librdkafka declared the producer unusable; only a new process (a new producer) helps.
    #[error("fatal producer error: {0}")]
    FatalProducer(String),
    #[error("an outbox loop failed: {0}")]
    LoopFailed(String),
}

pub struct Worker {
    producers: Producers,
    relays: Vec<Arc<Relay>>,
}

impl Worker {
    /// Builds the clients without connecting; PostgreSQL and the broker may still be down.
    pub fn new(config: Config) -> Result<Self, WorkerError> {
        let producers = Producers::new(
            &config.kafka_brokers,
            &config.dlq_kafka_brokers,
            config.message_timeout,
            config.linger,
            config.backlog_linger,
        )?;
        // Each batch in flight holds a connection; one more claims, one measures the lag.
        let connections = config.relay.max_in_flight_batches as u32 + 2;
        let relays = config
            .outboxes
            .into_iter()
            .map(|outbox| {
                Ok(Arc::new(Relay {
                    pool: platform::db::lazy_pool(&outbox.database_url, connections)?,
                    outbox,
                    settings: config.relay,
                    producers: producers.clone(),
                }))
            })
            .collect::<Result<_, WorkerError>>()?;
        Ok(Self { producers, relays })
    }

    /// Relays every outbox concurrently until `shutdown` resolves, then lets the batches in
    /// flight finish. Returns an error only when the producer is beyond repair (the
    /// process should exit and be restarted); the other loops are stopped then, and rows
    /// of their unfinished batches stay pending (at-least-once).
    pub async fn run(
        &self,
        shutdown: impl std::future::Future<Output = ()>,
    ) -> Result<(), WorkerError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        // One task per outbox; dropping the set (on a fatal error) aborts the others.
        let mut loops = JoinSet::new();
        for relay in &self.relays {
            loops.spawn(Arc::clone(relay).run(stop_rx.clone()));
        }
        tokio::pin!(shutdown);
        let mut result = Ok(());
        loop {
            tokio::select! {
                done = loops.join_next() => match done {
                    None => break,
                    Some(Ok(Ok(()))) => {}
                    Some(Ok(Err(err))) => {
                        result = Err(err);
                        break;
                    }
                    Some(Err(panicked)) => {
                        tracing::error!(error = %panicked, "an outbox loop panicked");
                        result = Err(WorkerError::LoopFailed(panicked.to_string()));
                        break;
                    }
                },
                () = &mut shutdown, if !*stop_tx.borrow() => {
                    let _ = stop_tx.send(true);
                }
            }
        }
        tracing::info!("outbox worker stopped");
        result
    }

    /// Flushes anything still queued (nothing normally: every batch awaits its deliveries).
    pub fn flush(&self, timeout: Duration) {
        self.producers.flush(timeout);
    }
}
