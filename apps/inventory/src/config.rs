//! The inventory service's settings (docs/spec.md#inventory), parsed once at start-up;
//! anything missing or invalid stops the process with a message naming the variable.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use platform::config::{ConfigError, Env};

/// Consumer group of the saga consumer unless `CONSUMER_GROUP` says otherwise.
pub const DEFAULT_CONSUMER_GROUP: &str = events::consumer_groups::INVENTORY;
/// The same floor as the api's: both verify the same HS256 tokens.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

#[derive(Clone)]
pub struct Config {
    pub bind_addr: SocketAddr,
    pub database_url: String,
    pub database_max_connections: u32,
    pub kafka_brokers: String,
    pub jwt_secret: String,
    pub orders_events_topic: String,
    pub dlq_topic: String,
    pub consumer_group: String,
    /// The consumer handles up to this many messages between offset commits ...
    pub batch_max_messages: usize,
    /// ... gathered for at most this long after the first one arrived.
    pub batch_max_wait: Duration,
}

impl fmt::Debug for Config {
    // The database URL may carry a password and the JWT secret is one: never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bind_addr", &self.bind_addr)
            .field("database_max_connections", &self.database_max_connections)
            .field("kafka_brokers", &self.kafka_brokers)
            .field("orders_events_topic", &self.orders_events_topic)
            .field("dlq_topic", &self.dlq_topic)
            .field("consumer_group", &self.consumer_group)
            .field("batch_max_messages", &self.batch_max_messages)
            .field("batch_max_wait", &self.batch_max_wait)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let jwt_secret = env.required("JWT_SECRET")?;
        if jwt_secret.len() < MIN_JWT_SECRET_BYTES {
            return Err(ConfigError::new(
                "JWT_SECRET",
                format!("must be at least {MIN_JWT_SECRET_BYTES} bytes"),
            ));
        }
        Ok(Self {
            bind_addr: env.parse_or("BIND_ADDR", SocketAddr::from(([127, 0, 0, 1], 8010)))?,
            database_url: env
                .url("DATABASE_URL", &["postgres://", "postgresql://"])?
                .to_owned(),
            database_max_connections: env.in_range("DATABASE_MAX_CONNECTIONS", 20, 2, 500)?,
            kafka_brokers: env.required_kafka_brokers("KAFKA_BROKERS")?,
            jwt_secret: jwt_secret.to_owned(),
            orders_events_topic: env
                .kafka_name("ORDERS_EVENTS_TOPIC", events::TOPIC_ORDER_EVENTS)?,
            dlq_topic: env
                .kafka_name("INVENTORY_DLQ_TOPIC", events::TOPIC_INVENTORY_DEAD_LETTER)?,
            consumer_group: env.kafka_name("CONSUMER_GROUP", DEFAULT_CONSUMER_GROUP)?,
            batch_max_messages: env.in_range("INVENTORY_BATCH_MAX_MESSAGES", 100, 1, 10_000)?,
            batch_max_wait: env.millis("INVENTORY_BATCH_MAX_WAIT_MS", 20)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    fn with(pairs: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("DATABASE_URL", "postgres://u:p@127.0.0.1/inventory"),
            ("KAFKA_BROKERS", "127.0.0.1:9092"),
            ("JWT_SECRET", SECRET),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(o, _)| o == k));
        all.extend_from_slice(pairs);
        Config::from_env(&Env::from_pairs(all))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = with(&[]).unwrap();
        assert_eq!(config.bind_addr.to_string(), "127.0.0.1:8010");
        assert_eq!(config.orders_events_topic, "orders.events");
        assert_eq!(config.dlq_topic, "inventory.dlq");
        assert_eq!(config.consumer_group, "inventory");
        assert_eq!(config.batch_max_messages, 100);
        assert_eq!(config.batch_max_wait, Duration::from_millis(20));
        assert_eq!(config.database_max_connections, 20);
    }

    #[test]
    fn missing_or_invalid_variables_are_named() {
        for (name, bad) in [
            ("DATABASE_URL", ""),
            ("DATABASE_URL", "mysql://x"),
            ("KAFKA_BROKERS", ""),
            ("KAFKA_BROKERS", "no-port"),
            ("JWT_SECRET", ""),
            ("JWT_SECRET", "short"),
            ("BIND_ADDR", "nowhere"),
            ("ORDERS_EVENTS_TOPIC", "a b"),
            ("INVENTORY_DLQ_TOPIC", "x/y"),
            ("CONSUMER_GROUP", "g 1"),
            ("INVENTORY_BATCH_MAX_MESSAGES", "0"),
            ("INVENTORY_BATCH_MAX_WAIT_MS", "soon"),
            ("DATABASE_MAX_CONNECTIONS", "1"),
        ] {
            let err = with(&[(name, bad)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={bad}: {err}");
        }
    }

    #[test]
    fn secrets_do_not_leak_through_debug() {
        let rendered = format!("{:?}", with(&[]).unwrap());
        assert!(!rendered.contains(SECRET));
        assert!(!rendered.contains("u:p@"));
    }
}
