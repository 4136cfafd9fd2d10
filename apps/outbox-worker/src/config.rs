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
        let database_url = env.required("DATABASE_URL")?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::new(
                "DATABASE_URL",
                "must start with postgres:// or postgresql://",
            ));
        }
        let kafka_brokers = brokers(env, "KAFKA_BROKERS")?
            .ok_or_else(|| ConfigError::new("KAFKA_BROKERS", "is required but not set"))?;
        let dlq_kafka_brokers =
            brokers(env, "DLQ_KAFKA_BROKERS")?.unwrap_or_else(|| kafka_brokers.clone());
        Ok(Self {
            database_url: database_url.to_owned(),
            kafka_brokers,
            dlq_kafka_brokers,
            events_topic: topic(env, "ORDERS_EVENTS_TOPIC", events::TOPIC_ORDER_EVENTS)?,
            dlq_topic: topic(env, "DLQ_TOPIC", events::TOPIC_DEAD_LETTER)?,
            batch_size: in_range(env, "OUTBOX_BATCH_SIZE", 50, 1, 10_000)?,
            max_attempts: in_range(env, "OUTBOX_MAX_ATTEMPTS", 10, 1, 1_000)?,
            backoff_unit: millis(env, "OUTBOX_BACKOFF_UNIT_MS", 1_000)?,
            backoff_max: millis(env, "OUTBOX_BACKOFF_MAX_MS", 300_000)?,
            poll_interval: millis(env, "OUTBOX_POLL_INTERVAL_MS", 5_000)?,
            message_timeout: millis(env, "KAFKA_MESSAGE_TIMEOUT_MS", 10_000)?,
            metrics_addr: env.parse_or("METRICS_ADDR", SocketAddr::from(([127, 0, 0, 1], 9101)))?,
        })
    }
}

fn brokers(env: &Env, name: &str) -> Result<Option<String>, ConfigError> {
    let Some(value) = env.optional(name) else {
        return Ok(None);
    };
    let items: Vec<&str> = value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect();
    for item in &items {
        match item.rsplit_once(':') {
            Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => {}
            _ => {
                return Err(ConfigError::new(
                    name,
                    format!("has an invalid entry {item:?}: expected host:port"),
                ))
            }
        }
    }
    Ok(Some(items.join(",")))
}

fn topic(env: &Env, name: &str, default: &str) -> Result<String, ConfigError> {
    let value = env.optional(name).unwrap_or(default);
    let valid = value.len() <= 249
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(value.to_owned())
    } else {
        Err(ConfigError::new(
            name,
            "must be a Kafka topic name ([A-Za-z0-9._-], at most 249 characters)",
        ))
    }
}

fn in_range<T>(env: &Env, name: &str, default: T, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
    T::Err: std::fmt::Display,
{
    let value = env.parse_or(name, default)?;
    if value < min || value > max {
        return Err(ConfigError::new(
            name,
            format!("must be between {min} and {max}, got {value}"),
        ));
    }
    Ok(value)
}

fn millis(env: &Env, name: &str, default: u64) -> Result<Duration, ConfigError> {
    in_range(env, name, default, 1, 86_400_000).map(Duration::from_millis)
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
