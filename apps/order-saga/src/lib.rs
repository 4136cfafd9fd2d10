//! The orders side of the inventory saga (docs/spec.md#order-reservation), a process of its
//! own so consuming never competes with the API's requests: [`consumer`] applies the
//! inventory service's replies from `inventory.events` to orders, [`sweeper`] cancels
//! unpaid orders whose reservation expired. The rules and the SQL are the api crate's
//! (`api::orders::saga`); this crate is the loop around them. `main.rs` wires it to the
//! process.

pub mod config;
pub mod consumer;
pub mod sweeper;

use api::state::Redis;
use rdkafka::error::KafkaError;
use sqlx::PgPool;
use tokio::sync::watch;

pub use config::Config;

/// Connections of the database pool; one consumer and one sweeper use them.
const DB_CONNECTIONS: u32 = 4;

/// The clients both loops share; nothing connects until first use, so the process starts
/// (and serves /healthz) while a dependency is still down.
pub struct OrderSaga {
    config: Config,
    db: PgPool,
    redis: Redis,
}

impl OrderSaga {
    pub fn new(config: Config) -> anyhow::Result<Self> {
        let db = platform::db::lazy_pool(&config.database_url, DB_CONNECTIONS)?;
        let redis = Redis::new(&config.redis_url)?;
        Ok(Self { config, db, redis })
    }

    pub fn db(&self) -> &PgPool {
        &self.db
    }

    /// Runs the consumer and the sweeper until `stop` turns true, or until the consumer
    /// fails (the sweeper is then dropped between transactions).
    pub async fn run(&self, stop: watch::Receiver<bool>) -> Result<(), KafkaError> {
        let consumer = consumer::Consumer::new(&self.config, &self.db, &self.redis)?;
        let sweeper = sweeper::Sweeper::new(&self.config, &self.db, &self.redis);
        let consuming = consumer.run(stop.clone());
        let sweeping = sweeper.run(stop);
        tokio::pin!(consuming, sweeping);
        tokio::select! {
            result = &mut consuming => {
                if result.is_ok() {
                    sweeping.await;
                }
                result
            }
            () = &mut sweeping => consuming.await,
        }
    }
}
