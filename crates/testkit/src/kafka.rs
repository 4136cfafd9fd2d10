//! The broker side of integration tests: topics of a test's own, and reading them back.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};

/// Partitions of every topic the platform (and so every test) creates.
pub const PARTITIONS: i32 = 3;

/// The broker of the stack: `KAFKA_BROKERS`, default `127.0.0.1:9092`.
pub fn brokers() -> String {
    std::env::var("KAFKA_BROKERS").unwrap_or_else(|_| "127.0.0.1:9092".to_owned())
}

/// Creates topics with 3 partitions, as the platform does (never rely on auto-creation).
pub async fn create_topics(brokers: &str, names: &[&str]) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .expect("admin client");
    let topics: Vec<NewTopic> = names
        .iter()
        .map(|name| NewTopic::new(name, PARTITIONS, TopicReplication::Fixed(1)))
        .collect();
    let results = admin
        .create_topics(&topics, &AdminOptions::new())
        .await
        .expect("create topics request");
    for result in results {
        result.expect("topic created");
    }
}

/// One message read back from a topic.
#[derive(Debug, Clone)]
pub struct Consumed {
    pub partition: i32,
    pub key: String,
    pub payload: serde_json::Value,
    pub headers: HashMap<String, String>,
}

/// Reads `topic` from the beginning of all its partitions until `expected` messages arrived
/// or `timeout` passed; returns them in partition/offset order. Commits nothing.
pub fn consume_all(
    brokers: &str,
    topic: &str,
    expected: usize,
    timeout: Duration,
) -> Vec<Consumed> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", crate::unique_name("test-reader"))
        .set("enable.auto.commit", "false")
        .create()
        .expect("consumer");
    let mut assignment = TopicPartitionList::new();
    for partition in 0..PARTITIONS {
        assignment
            .add_partition_offset(topic, partition, Offset::Beginning)
            .expect("partition");
    }
    consumer.assign(&assignment).expect("assign");
    let deadline = Instant::now() + timeout;
    let mut messages = Vec::new();
    while messages.len() < expected && Instant::now() < deadline {
        let Some(result) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let message = result.expect("consume");
        let headers = message
            .headers()
            .map(|headers| {
                headers
                    .iter()
                    .map(|h| {
                        (
                            h.key.to_owned(),
                            String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        messages.push(Consumed {
            partition: message.partition(),
            key: String::from_utf8_lossy(message.key().unwrap_or_default()).into_owned(),
            payload: serde_json::from_slice(message.payload().unwrap_or_default())
                .expect("JSON payload"),
            headers,
        });
    }
    messages
}
