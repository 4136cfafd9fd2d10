//! One outbox's loop: claim → publish → mark, pipelined (see the README).
//!
//! Each claimed batch is its own PostgreSQL transaction holding its rows' locks until the
//! rows are marked; up to `max_in_flight_batches` of them are delivering at once while the
//! loop claims the next. Per-key order holds across batches and workers because a row is
//! claimable only as the head of its key (crates/outbox), and its successor becomes the
//! head only when the transaction that marked it commits.
//!
//! Wake-up without NOTIFY: a full batch is followed by the next claim at once; otherwise
//! the loop waits `poll_min`, doubling up to `poll_max` while claims come back empty. An
//! empty claim is one probe of an empty partial index.

use std::sync::Arc;
use std::time::{Duration, Instant};

use outbox::metrics::{
    BATCH_DURATION_SECONDS, BATCH_ERRORS_TOTAL, CLAIM_DURATION_SECONDS, DEAD_TOTAL, FAILED_TOTAL,
    IN_FLIGHT_BATCHES, LAG_SECONDS, OUTBOX_LABEL, PUBLISHED_TOTAL, PUBLISH_DURATION_SECONDS,
};
use outbox::{Claimed, Failure};
use sqlx::postgres::{PgPool, Postgres};
use sqlx::Transaction;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{info_span, Instrument};
use uuid::Uuid;

use crate::config::{OutboxConfig, RelaySettings};
use crate::publish::{truncate, Producers};
use crate::worker::WorkerError;

/// How often the lag gauge is refreshed.
const LAG_INTERVAL: Duration = Duration::from_secs(1);
/// How long to wait before looking at a database whose schema is not (yet) the outbox's.
const SCHEMA_RETRY: Duration = Duration::from_secs(2);
/// The shortest wait after a claim failed (database down).
const ERROR_RETRY: Duration = Duration::from_secs(1);
/// Continued claims start over from the oldest row at least this often, so rows they
/// passed (blocked then, claimable now) are not starved by a backlog that keeps growing.
const CURSOR_RESTART: Duration = Duration::from_secs(1);

/// What one batch did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchOutcome {
    pub claimed: usize,
    pub published: usize,
    pub failed: usize,
    pub dead: usize,
}

pub struct Relay {
    pub outbox: OutboxConfig,
    pub settings: RelaySettings,
    pub pool: PgPool,
    pub producers: Producers,
}

/// A claimed batch: its transaction holds the rows' locks.
struct Batch {
    tx: Transaction<'static, Postgres>,
    rows: Vec<Claimed>,
    started: Instant,
}

impl Relay {
    /// Runs until `stop` turns true, then lets the batches in flight finish. Returns an
    /// error only when the producer is beyond repair.
    pub async fn run(self: Arc<Self>, mut stop: watch::Receiver<bool>) -> Result<(), WorkerError> {
        let span = info_span!("outbox", outbox = %self.outbox.name);
        async move {
            if !self.wait_for_schema(&mut stop).await {
                return Ok(());
            }
            tracing::info!(topic = %self.outbox.topic, "relaying");
            let settings = self.settings;
            let mut in_flight: JoinSet<Result<BatchOutcome, WorkerError>> = JoinSet::new();
            let mut idle = settings.poll_min;
            let mut next_claim = Instant::now();
            let mut next_lag = Instant::now();
            // Where the next claim continues while batches come back full (see
            // `outbox::Position`), and when this run of continued claims started.
            let mut cursor: Option<(outbox::Position, Instant)> = None;
            while !*stop.borrow() {
                let now = Instant::now();
                if now >= next_lag {
                    self.record_lag().await;
                    next_lag = now + LAG_INTERVAL;
                }
                if in_flight.len() < settings.max_in_flight_batches && now >= next_claim {
                    let after = cursor
                        .filter(|(_, since)| now.duration_since(*since) < CURSOR_RESTART)
                        .map(|(position, _)| position);
                    next_claim = match self.claim(after).await {
                        Ok(Some(batch)) => {
                            let full = batch.rows.len() >= settings.batch_size as usize;
                            cursor = match (full, batch.rows.last()) {
                                (true, Some(last)) => Some((
                                    last.position(),
                                    cursor.filter(|_| after.is_some()).map_or(now, |(_, s)| s),
                                )),
                                _ => None,
                            };
                            let relay = Arc::clone(&self);
                            in_flight.spawn(relay.deliver(batch).in_current_span());
                            self.in_flight_gauge(in_flight.len());
                            idle = settings.poll_min;
                            if full || after.is_some() {
                                now
                            } else {
                                now + settings.poll_min
                            }
                        }
                        // The end of a run of continued claims: start over at once.
                        Ok(None) if after.is_some() => {
                            cursor = None;
                            now
                        }
                        Ok(None) => {
                            cursor = None;
                            let wait = idle;
                            idle = (idle * 2).min(settings.poll_max);
                            now + wait
                        }
                        Err(err) => {
                            cursor = None;
                            self.batch_error(&err);
                            now + settings.poll_max.max(ERROR_RETRY)
                        }
                    };
                    continue;
                }
                let room = in_flight.len() < settings.max_in_flight_batches;
                tokio::select! {
                    biased;
                    _ = stop.changed() => {}
                    Some(done) = in_flight.join_next() => {
                        self.in_flight_gauge(in_flight.len());
                        self.settle(done)?;
                    }
                    () = tokio::time::sleep_until(next_claim.into()), if room => {}
                    () = tokio::time::sleep_until(next_lag.into()) => {}
                }
            }
            while let Some(done) = in_flight.join_next().await {
                self.settle(done)?;
            }
            self.in_flight_gauge(0);
            tracing::info!("stopped");
            Ok(())
        }
        .instrument(span)
        .await
    }

    /// Checks the table before relaying; a database still being migrated is waited for.
    async fn wait_for_schema(&self, stop: &mut watch::Receiver<bool>) -> bool {
        loop {
            let checked = async {
                let mut conn = self.pool.acquire().await?;
                outbox::schema::verify(&mut conn).await
            };
            match checked.await {
                Ok(()) => return true,
                Err(err) => tracing::error!(error = %err, "cannot relay this outbox yet"),
            }
            tokio::select! {
                _ = stop.changed() => return false,
                () = tokio::time::sleep(SCHEMA_RETRY) => {}
            }
        }
    }

    /// Claims the next batch (after `after`, if given) in its own transaction; `None` (and
    /// the transaction ended) when nothing is claimable.
    async fn claim(&self, after: Option<outbox::Position>) -> Result<Option<Batch>, WorkerError> {
        let started = Instant::now();
        async {
            let mut tx = self.pool.begin().await?;
            let rows = outbox::claim(&mut tx, self.settings.batch_size, after).await?;
            metrics::histogram!(CLAIM_DURATION_SECONDS, OUTBOX_LABEL => self.outbox.name.clone())
                .record(started.elapsed().as_secs_f64());
            if rows.is_empty() {
                tx.commit().await?;
                return Ok(None);
            }
            tracing::debug!(rows = rows.len(), "claimed");
            Ok(Some(Batch { tx, rows, started }))
        }
        .instrument(info_span!("claim", continued = after.is_some()))
        .await
    }

    /// Publishes a claimed batch, dead-letters rows out of attempts, marks and commits.
    async fn deliver(self: Arc<Self>, batch: Batch) -> Result<BatchOutcome, WorkerError> {
        let Batch { tx, rows, started } = batch;
        let publish_started = Instant::now();
        let backlog = rows.len() >= self.settings.batch_size as usize;
        let results = self
            .producers
            .publish(&self.outbox.topic, &rows, backlog)
            .instrument(info_span!("publish", rows = rows.len(), backlog))
            .await;
        metrics::histogram!(PUBLISH_DURATION_SECONDS, OUTBOX_LABEL => self.outbox.name.clone())
            .record(publish_started.elapsed().as_secs_f64());
        // A fatal producer error fails every delivery without the broker being at fault:
        // roll back (the transaction is dropped) instead of charging the rows an attempt.
        if let Some(fatal) = self.producers.fatal_error() {
            return Err(WorkerError::FatalProducer(fatal));
        }
        let mut published = Vec::with_capacity(rows.len());
        let mut failed = Vec::new();
        for (row, result) in rows.iter().zip(results) {
            match result {
                Ok(()) => published.push(row.id),
                Err(err) => failed.push((row, err.to_string())),
            }
        }
        let failures = self
            .decide_failures(&failed)
            .instrument(info_span!("dead_letter", failed = failed.len()))
            .await;
        self.mark(tx, &published, &failures)
            .instrument(info_span!("mark", published = published.len()))
            .await?;

        let dead = failures.iter().filter(|f| f.retry_in.is_none()).count();
        let outcome = BatchOutcome {
            claimed: rows.len(),
            published: published.len(),
            failed: failures.len() - dead,
            dead,
        };
        let label = self.outbox.name.clone();
        metrics::counter!(PUBLISHED_TOTAL, OUTBOX_LABEL => label.clone())
            .increment(outcome.published as u64);
        metrics::counter!(FAILED_TOTAL, OUTBOX_LABEL => label.clone())
            .increment(failures.len() as u64);
        metrics::counter!(DEAD_TOTAL, OUTBOX_LABEL => label.clone()).increment(dead as u64);
        metrics::histogram!(BATCH_DURATION_SECONDS, OUTBOX_LABEL => label)
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
    /// and are dead only if that publish was acknowledged too.
    async fn decide_failures(&self, failed: &[(&Claimed, String)]) -> Vec<Failure> {
        let retry = self.settings.retry;
        let decisions = failed.iter().map(|(row, error)| async move {
            let attempts = retry.attempts_after_failure(row.publish_attempts);
            let (dead, error) = if retry.exhausted(attempts) {
                let letter = self
                    .producers
                    .dead_letter(
                        &self.outbox.dlq_topic,
                        &self.outbox.topic,
                        row,
                        attempts,
                        error,
                    )
                    .await;
                match letter {
                    Ok(()) => (true, error.clone()),
                    Err(dlq_err) => (
                        false,
                        format!("{error}; dead-letter publish failed too: {dlq_err}"),
                    ),
                }
            } else {
                (false, error.clone())
            };
            Failure {
                id: row.id,
                key: row.key.clone(),
                seq: row.seq,
                attempts,
                error: truncate(&error),
                retry_in: (!dead).then(|| retry.delay(attempts)),
            }
        });
        futures::future::join_all(decisions).await
    }

    /// Marks the batch in its claiming transaction and commits. If the commit fails, the
    /// rows stay pending and are published again later: at-least-once, consumers
    /// de-duplicate by `event_id`.
    async fn mark(
        &self,
        mut tx: Transaction<'static, Postgres>,
        published: &[Uuid],
        failures: &[Failure],
    ) -> Result<(), WorkerError> {
        outbox::mark_published(&mut tx, published).await?;
        outbox::record_failures(&mut tx, failures).await?;
        tx.commit().await?;
        Ok(())
    }

    fn settle(
        &self,
        done: Result<Result<BatchOutcome, WorkerError>, tokio::task::JoinError>,
    ) -> Result<(), WorkerError> {
        match done {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(err @ WorkerError::FatalProducer(_))) => {
                tracing::error!(error = %err, "stopping: the producer cannot recover");
                Err(err)
            }
            Ok(Err(err)) => {
                self.batch_error(&err);
                Ok(())
            }
            Err(panicked) => {
                metrics::counter!(BATCH_ERRORS_TOTAL, OUTBOX_LABEL => self.outbox.name.clone())
                    .increment(1);
                tracing::error!(error = %panicked, "outbox batch task failed");
                Ok(())
            }
        }
    }

    fn batch_error(&self, err: &WorkerError) {
        metrics::counter!(BATCH_ERRORS_TOTAL, OUTBOX_LABEL => self.outbox.name.clone())
            .increment(1);
        tracing::error!(error = %err, "outbox batch failed");
    }

    fn in_flight_gauge(&self, batches: usize) {
        metrics::gauge!(IN_FLIGHT_BATCHES, OUTBOX_LABEL => self.outbox.name.clone())
            .set(batches as f64);
    }

    /// Age of the oldest pending row, as the lag gauge (0 when none).
    async fn record_lag(&self) {
        match outbox::oldest_pending_age(&self.pool).await {
            Ok(age) => metrics::gauge!(LAG_SECONDS, OUTBOX_LABEL => self.outbox.name.clone())
                .set(age.map_or(0.0, |age| age.as_secs_f64())),
            Err(err) => tracing::warn!(error = %err, "cannot measure outbox lag"),
        }
    }
}
