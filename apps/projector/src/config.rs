//! The projector's settings, read once at start-up; every failure names the variable.

use std::net::SocketAddr;
use std::time::Duration;

use platform::config::{ConfigError, Env};

#[derive(Clone)]
pub struct Config {
    pub kafka_brokers: String,
    pub mongodb_url: String,
    pub events_topic: String,
    pub sku_stats_topic: String,
    pub dlq_topic: String,
    pub inventory_events_topic: String,
    /// Where invalid messages of `inventory_events_topic` go (`dlq_topic` is for orders').
    pub inventory_dlq_topic: String,
    pub consumer_group: String,
    pub metrics_addr: SocketAddr,
    /// A batch is written once it holds this many messages ...
    pub batch_max_messages: usize,
    /// ... or this long after its first message arrived, whichever comes first.
    pub batch_max_wait: Duration,
}

/// Consumer group of the projector unless `CONSUMER_GROUP` says otherwise.
pub const DEFAULT_CONSUMER_GROUP: &str = events::consumer_groups::PROJECTOR;

impl std::fmt::Debug for Config {
    // The MongoDB URL may carry a password: never print it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("kafka_brokers", &self.kafka_brokers)
            .field("events_topic", &self.events_topic)
            .field("sku_stats_topic", &self.sku_stats_topic)
            .field("dlq_topic", &self.dlq_topic)
            .field("inventory_events_topic", &self.inventory_events_topic)
            .field("inventory_dlq_topic", &self.inventory_dlq_topic)
            .field("consumer_group", &self.consumer_group)
            .field("metrics_addr", &self.metrics_addr)
            .field("batch_max_messages", &self.batch_max_messages)
            .field("batch_max_wait", &self.batch_max_wait)
            .finish_non_exhaustive()
    }
}

impl Config {
    pub fn from_env(env: &Env) -> Result<Self, ConfigError> {
        let mongodb_url = env.url("MONGODB_URL", &["mongodb://", "mongodb+srv://"])?;
        Ok(Self {
            kafka_brokers: env.required_kafka_brokers("KAFKA_BROKERS")?,
            mongodb_url: mongodb_url.to_owned(),
            events_topic: env.kafka_name("ORDERS_EVENTS_TOPIC", events::TOPIC_ORDER_EVENTS)?,
            sku_stats_topic: env.kafka_name("SKU_STATS_TOPIC", events::TOPIC_SKU_STATS)?,
            dlq_topic: env.kafka_name("DLQ_TOPIC", events::TOPIC_DEAD_LETTER)?,
            inventory_events_topic: env
                .kafka_name("INVENTORY_EVENTS_TOPIC", events::TOPIC_INVENTORY_EVENTS)?,
            inventory_dlq_topic: env
                .kafka_name("INVENTORY_DLQ_TOPIC", events::TOPIC_INVENTORY_DEAD_LETTER)?,
            consumer_group: env.kafka_name("CONSUMER_GROUP", DEFAULT_CONSUMER_GROUP)?,
            metrics_addr: env.parse_or("METRICS_ADDR", SocketAddr::from(([127, 0, 0, 1], 9102)))?,
            batch_max_messages: env.in_range("PROJECTOR_BATCH_MAX_MESSAGES", 20_000, 1, 100_000)?,
            batch_max_wait: env.millis("PROJECTOR_BATCH_MAX_WAIT_MS", 200)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&'static str, &'static str)]) -> Result<Config, ConfigError> {
        let mut all = vec![
            ("KAFKA_BROKERS", "127.0.0.1:9092"),
            ("MONGODB_URL", "mongodb://u:p@127.0.0.1:27017/orderflow"),
        ];
        all.retain(|(k, _)| !pairs.iter().any(|(o, _)| o == k));
        all.extend_from_slice(pairs);
        Config::from_env(&Env::from_pairs(all))
    }

    #[test]
    fn defaults_follow_the_spec() {
        let config = with(&[]).unwrap();
        assert_eq!(config.events_topic, "orders.events");
        assert_eq!(config.sku_stats_topic, "orders.sku-stats");
        assert_eq!(config.dlq_topic, "orders.dlq");
        assert_eq!(config.inventory_events_topic, "inventory.events");
        assert_eq!(config.inventory_dlq_topic, "inventory.dlq");
        assert_eq!(config.consumer_group, "orderflow-projector");
        assert_eq!(config.metrics_addr.to_string(), "127.0.0.1:9102");
        assert_eq!(config.batch_max_messages, 20_000);
        assert_eq!(config.batch_max_wait, Duration::from_millis(200));
    }

    #[test]
    fn missing_or_invalid_variables_are_named() {
        for (name, bad) in [
            ("KAFKA_BROKERS", ""),
            ("KAFKA_BROKERS", "host"),
            ("MONGODB_URL", ""),
            ("MONGODB_URL", "postgres://x"),
            ("SKU_STATS_TOPIC", "a b"),
            ("INVENTORY_EVENTS_TOPIC", "a b"),
            ("INVENTORY_DLQ_TOPIC", "x/y"),
            ("CONSUMER_GROUP", "g/1"),
            ("METRICS_ADDR", "x"),
            ("PROJECTOR_BATCH_MAX_MESSAGES", "0"),
            ("PROJECTOR_BATCH_MAX_WAIT_MS", "soon"),
        ] {
            let err = with(&[(name, bad)]).unwrap_err();
            assert_eq!(err.variable, name, "{name}={bad}: {err}");
        }
    }

    #[test]
    fn debug_output_hides_the_mongodb_url() {
        let rendered = format!("{:?}", with(&[]).unwrap());
        assert!(!rendered.contains("u:p@"), "{rendered}");
    }
}
