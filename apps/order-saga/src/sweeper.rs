//! The expiry sweeper: every `RESERVATION_SWEEP_INTERVAL_MS`, cancels unpaid orders whose
//! reservation is older than `RESERVATION_TTL_SECONDS`, in batches, until none is left.
//! A failed sweep (PostgreSQL down) is logged and simply repeated at the next tick.

use api::orders::saga;
use api::state::Redis;
use sqlx::PgPool;
use tokio::sync::watch;
use tokio::time::MissedTickBehavior;

use crate::config::Config;

pub struct Sweeper<'a> {
    config: &'a Config,
    db: &'a PgPool,
    redis: &'a Redis,
}

impl<'a> Sweeper<'a> {
    pub fn new(config: &'a Config, db: &'a PgPool, redis: &'a Redis) -> Self {
        Self { config, db, redis }
    }

    pub async fn run(&self, mut stop: watch::Receiver<bool>) {
        metrics::counter!("order_saga_expired_total").increment(0);
        let mut ticks = tokio::time::interval(self.config.sweep_interval);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                biased;
                _ = stop.wait_for(|stop| *stop) => break,
                _ = ticks.tick() => {}
            }
            self.sweep(&stop).await;
        }
        tracing::info!("order saga sweeper stopped");
    }

    /// Batches until one comes back short (nothing more to expire) or `stop` turned true.
    #[tracing::instrument(name = "sweep", skip_all, fields(expired))]
    async fn sweep(&self, stop: &watch::Receiver<bool>) {
        let mut expired = 0;
        while !*stop.borrow() {
            match saga::expire_reservations(
                self.db,
                self.redis,
                self.config.reservation_ttl,
                self.config.sweep_batch,
            )
            .await
            {
                Ok(ids) => {
                    expired += ids.len();
                    metrics::counter!("order_saga_expired_total").increment(ids.len() as u64);
                    for id in &ids {
                        tracing::info!(order_id = %id, "reservation expired; order canceled");
                    }
                    if (ids.len() as i64) < self.config.sweep_batch {
                        break;
                    }
                }
                Err(err) => {
                    tracing::warn!(error = %err, "sweep failed; retrying at the next tick");
                    metrics::counter!("order_saga_retries_total", "operation" => "sweep")
                        .increment(1);
                    break;
                }
            }
        }
        tracing::Span::current().record("expired", expired);
    }
}
