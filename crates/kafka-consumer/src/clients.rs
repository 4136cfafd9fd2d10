//! The consumer and dead-letter producer settings both saga consumers use.
//!
//! Offsets are committed by hand (after the event's transaction or its dead letter), and a
//! new group starts from the earliest offset so no event published before the first start
//! is missed. The producer is idempotent and waits for all in-sync replicas: a dead letter
//! counts as handled only once it is durable.

use rdkafka::config::ClientConfig;
use rdkafka::consumer::StreamConsumer;
use rdkafka::error::KafkaError;
use rdkafka::producer::FutureProducer;

/// librdkafka's own logs: errors only (ours go through `tracing`).
const LOG_LEVEL: &str = "3";

/// Settings of a consumer in `group` that commits its offsets itself.
pub fn consumer_config(brokers: &str, group: &str, client_id: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .set("client.id", client_id)
        .set("enable.auto.commit", "false")
        .set("auto.offset.reset", "earliest")
        .set("log_level", LOG_LEVEL);
    config
}

/// Settings of the producer of dead letters: idempotent, acknowledged by all replicas,
/// a send given up after 10 s (the caller retries it).
pub fn dlq_producer_config(brokers: &str, client_id: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("client.id", client_id)
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("message.timeout.ms", "10000")
        .set("log_level", LOG_LEVEL);
    config
}

/// Builds the consumer of [`consumer_config`]; nothing connects yet.
pub fn stream_consumer(
    brokers: &str,
    group: &str,
    client_id: &str,
) -> Result<StreamConsumer, KafkaError> {
    consumer_config(brokers, group, client_id).create()
}

/// Builds the producer of [`dlq_producer_config`]; nothing connects yet.
pub fn dlq_producer(brokers: &str, client_id: &str) -> Result<FutureProducer, KafkaError> {
    dlq_producer_config(brokers, client_id).create()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_consumer_commits_by_hand_from_the_earliest_offset() {
        let config = consumer_config("broker:9092", "saga", "orderflow-test");
        assert_eq!(config.get("bootstrap.servers"), Some("broker:9092"));
        assert_eq!(config.get("group.id"), Some("saga"));
        assert_eq!(config.get("client.id"), Some("orderflow-test"));
        assert_eq!(config.get("enable.auto.commit"), Some("false"));
        assert_eq!(config.get("auto.offset.reset"), Some("earliest"));
    }

    #[test]
    fn the_dead_letter_producer_waits_for_all_replicas() {
        let config = dlq_producer_config("broker:9092", "orderflow-test-dlq");
        assert_eq!(config.get("bootstrap.servers"), Some("broker:9092"));
        assert_eq!(config.get("client.id"), Some("orderflow-test-dlq"));
        assert_eq!(config.get("enable.idempotence"), Some("true"));
        assert_eq!(config.get("acks"), Some("all"));
        assert_eq!(config.get("message.timeout.ms"), Some("10000"));
        assert_eq!(config.get("group.id"), None);
    }

    #[tokio::test]
    async fn building_the_clients_connects_to_nothing() {
        // An address nobody listens on: creating must still succeed (the services start
        // and serve /healthz while the broker is down). The stream consumer needs a runtime.
        assert!(stream_consumer("127.0.0.1:1", "saga", "orderflow-test").is_ok());
        assert!(dlq_producer("127.0.0.1:1", "orderflow-test-dlq").is_ok());
    }
}
