//! The worker's settings, read once at start-up; every failure names the variable.

use std::net::SocketAddr;
use std::time::Duration;

use platform::config::{ConfigError, Env};

#[derive(Clone)]
pub struct Config {
    pub database_url: String,
    pub kafka_brokers: String,
    /// Where dead letters go; the same cluster unless told otherwise.
    pub dlq_kafka_brokers: String,
    pub events_topic: String,
    pub dlq_topic: String,
    pub batch_size: u32,
    /// Failed attempts after which a row is dead-lettered.
    pub max_attempts: i32,
    /// The retry delay is `min(2^attempts × backoff_unit, backoff_max)`.
    pub backoff_unit: Duration,
    pub backoff_max: Duration,
    /// Fallback poll when no `NOTIFY` arrives (and to pick up rows whose backoff ended).
    pub poll_interval: Duration,
    /// Upper bound for one delivery: a dead broker becomes a recorded failure after this.
    pub message_timeout: Duration,
    pub metrics_addr: SocketAddr,
}

impl std::fmt::Debug for Config {
    // The database URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("kafka_brokers", &self.kafka_brokers)
            .field("dlq_kafka_brokers", &self.dlq_kafka_brokers)
            .field("events_topic", &self.events_topic)
            .field("dlq_topic", &self.dlq_topic)
            .field("batch_size", &self.batch_size)
            .field("max_attempts", &self.max_attempts)
            .field("backoff_unit", &self.backoff_unit)
            .field("backoff_max", &self.backoff_max)
            .field("poll_interval", &self.poll_interval)
            .field("message_timeout", &self.message_timeout)
            .field("metrics_addr", &self.metrics_addr)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let database_url = env.url("DATABASE_URL", &["postgres://", "postgresql://"])?;
        let kafka_brokers = env.required_kafka_brokers("KAFKA_BROKERS")?;
        let dlq_kafka_brokers = env
            .kafka_brokers("DLQ_KAFKA_BROKERS")?
            .unwrap_or_else(|| kafka_brokers.clone());
        Ok(Self {
            database_url: database_url.to_owned(),
            kafka_brokers,
            dlq_kafka_brokers,
            events_topic: env.kafka_name("ORDERS_EVENTS_TOPIC", events::TOPIC_ORDER_EVENTS)?,
            dlq_topic: env.kafka_name("DLQ_TOPIC", events::TOPIC_DEAD_LETTER)?,
            batch_size: env.in_range("OUTBOX_BATCH_SIZE", 50, 1, 10_000)?,
            max_attempts: env.in_range("OUTBOX_MAX_ATTEMPTS", 10, 1, 1_000)?,
            backoff_unit: env.millis("OUTBOX_BACKOFF_UNIT_MS", 1_000)?,
            backoff_max: env.millis("OUTBOX_BACKOFF_MAX_MS", 300_000)?,
            poll_interval: env.millis("OUTBOX_POLL_INTERVAL_MS", 5_000)?,
            message_timeout: env.millis("KAFKA_MESSAGE_TIMEOUT_MS", 10_000)?,
            metrics_addr: env.parse_or("METRICS_ADDR", SocketAddr::from(([127, 0, 0, 1], 9101)))?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("DATABASE_URL", "postgres://u:p@127.0.0.1/db"),
            ("KAFKA_BROKERS", "127.0.0.1:9092"),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(o, _)| o == k));
        all.extend_from_slice(pairs);
        Config::from_env(&Env::from_pairs(all))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = with(&[]).unwrap();
        assert_eq!(config.batch_size, 50);
        assert_eq!(config.max_attempts, 10);
        assert_eq!(config.backoff_unit, Duration::from_secs(1));
        assert_eq!(config.backoff_max, Duration::from_secs(300));
        assert_eq!(config.events_topic, "orders.events");
        assert_eq!(config.dlq_topic, "orders.dlq");
        assert_eq!(config.dlq_kafka_brokers, "127.0.0.1:9092");
        assert_eq!(config.metrics_addr.to_string(), "127.0.0.1:9101");
    }

    #[test]
    fn missing_or_invalid_variables_are_named() {
        for (name, bad) in [
            ("DATABASE_URL", ""),
            ("DATABASE_URL", "mysql://x"),
            ("KAFKA_BROKERS", ""),
            ("KAFKA_BROKERS", "no-port"),
            ("DLQ_KAFKA_BROKERS", "x:y"),
            ("OUTBOX_BATCH_SIZE", "0"),
            ("OUTBOX_BATCH_SIZE", "many"),
            ("OUTBOX_MAX_ATTEMPTS", "-1"),
            ("OUTBOX_POLL_INTERVAL_MS", "0"),
            ("ORDERS_EVENTS_TOPIC", "bad topic"),
            ("METRICS_ADDR", "nowhere"),
        ] {
            let err = with(&[(name, bad)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={bad}: {err}");
        }
    }

    #[test]
    fn debug_output_hides_the_database_url() {
        let rendered = format!("{:?}", with(&[]).unwrap());
        assert!(!rendered.contains("u:p@"), "{rendered}");
    }
}
