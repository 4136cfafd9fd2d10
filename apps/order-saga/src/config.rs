//! The order saga's settings (docs/spec.md#configuration), read once at start-up; every
//! failure names the variable.

use std::net::SocketAddr;
use std::time::Duration;

use platform::config::{ConfigError, Env};

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub redis_url: String,
    pub kafka_brokers: String,
    pub events_topic: String,
    pub dlq_topic: String,
    pub consumer_group: String,
    pub metrics_addr: SocketAddr,
    /// An unpaid order's reservation expires this long after it was made.
    pub reservation_ttl: Duration,
    /// How often the sweeper looks for expired reservations.
    pub sweep_interval: Duration,
    /// Orders canceled per sweeper transaction.
    pub sweep_batch: i64,
}

/// Consumer group of the order saga unless `CONSUMER_GROUP` says otherwise.
pub const DEFAULT_CONSUMER_GROUP: &str = events::consumer_groups::ORDERS_SAGA;

impl std::fmt::Debug for Config {
    // The database and Redis URLs may carry passwords: never print them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("kafka_brokers", &self.kafka_brokers)
            .field("events_topic", &self.events_topic)
            .field("dlq_topic", &self.dlq_topic)
            .field("consumer_group", &self.consumer_group)
            .field("metrics_addr", &self.metrics_addr)
            .field("reservation_ttl", &self.reservation_ttl)
            .field("sweep_interval", &self.sweep_interval)
            .field("sweep_batch", &self.sweep_batch)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        Ok(Self {
            database_url: env
                .url("DATABASE_URL", &["postgres://", "postgresql://"])?
                .to_owned(),
            redis_url: env.url("REDIS_URL", &["redis://", "rediss://"])?.to_owned(),
            kafka_brokers: env.required_kafka_brokers("KAFKA_BROKERS")?,
            events_topic: env
                .kafka_name("INVENTORY_EVENTS_TOPIC", events::TOPIC_INVENTORY_EVENTS)?,
            dlq_topic: env
                .kafka_name("INVENTORY_DLQ_TOPIC", events::TOPIC_INVENTORY_DEAD_LETTER)?,
            consumer_group: env.kafka_name("CONSUMER_GROUP", DEFAULT_CONSUMER_GROUP)?,
            metrics_addr: env.parse_or("METRICS_ADDR", SocketAddr::from(([127, 0, 0, 1], 9104)))?,
            reservation_ttl: Duration::from_secs(env.in_range(
                "RESERVATION_TTL_SECONDS",
                900,
                1,
                30 * 86_400,
            )?),
            sweep_interval: env.millis("RESERVATION_SWEEP_INTERVAL_MS", 2_000)?,
            sweep_batch: env.in_range("RESERVATION_SWEEP_BATCH", 100, 1, 10_000)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("DATABASE_URL", "postgres://u:p@127.0.0.1/orderflow"),
            ("REDIS_URL", "redis://127.0.0.1:6379"),
            ("KAFKA_BROKERS", "127.0.0.1:9092"),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(o, _)| o == k));
        all.extend_from_slice(pairs);
        Config::from_env(&Env::from_pairs(all))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = with(&[]).unwrap();
        assert_eq!(config.events_topic, "inventory.events");
        assert_eq!(config.dlq_topic, "inventory.dlq");
        assert_eq!(config.consumer_group, "orders-saga");
        assert_eq!(config.metrics_addr.to_string(), "127.0.0.1:9104");
        assert_eq!(config.reservation_ttl, Duration::from_secs(900));
        assert_eq!(config.sweep_interval, Duration::from_secs(2));
        assert_eq!(config.sweep_batch, 100);
    }

    #[test]
    fn missing_or_invalid_variables_are_named() {
        for (name, bad) in [
            ("DATABASE_URL", ""),
            ("DATABASE_URL", "mysql://x"),
            ("REDIS_URL", "http://x"),
            ("KAFKA_BROKERS", "host"),
            ("INVENTORY_EVENTS_TOPIC", "a b"),
            ("INVENTORY_DLQ_TOPIC", "a/b"),
            ("CONSUMER_GROUP", "g/1"),
            ("METRICS_ADDR", "x"),
            ("RESERVATION_TTL_SECONDS", "0"),
            ("RESERVATION_TTL_SECONDS", "soon"),
            ("RESERVATION_SWEEP_INTERVAL_MS", "0"),
            ("RESERVATION_SWEEP_BATCH", "0"),
        ] {
            let err = with(&[(name, bad)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={bad}: {err}");
        }
    }

    #[test]
    fn debug_output_hides_the_urls() {
        let rendered = format!("{:?}", with(&[]).unwrap());
        assert!(!rendered.contains("u:p@"), "{rendered}");
    }
}
