//! The saga consumer end to end through the real broker: `OrderCreated` on the orders
//! topic is answered by `StockReserved` in the inventory outbox; invalid messages go to
//! the dead-letter topic with a reason, change no stock, and their offsets are committed.

use std::time::Duration;

use inventory::saga::consumer::ConsumerSettings;
use inventory::saga::SagaConsumer;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::TopicPartitionList;
use testkit::kafka::{brokers, consume_all, create_topics, PARTITIONS};
use testkit::{eventually, unique_name};
use tokio::sync::watch;

use crate::helpers::{canceled, created, TestApp};

pub async fn produce(brokers: &str, topic: &str, messages: &[(String, Vec<u8>)]) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.timeout.ms", "10000")
        .create()
        .unwrap();
    for (key, payload) in messages {
        producer
            .send(
                FutureRecord::to(topic).key(key).payload(payload),
                Duration::from_secs(10),
            )
            .await
            .map_err(|(err, _)| err)
            .expect("produced");
    }
}

/// The group's committed offsets summed over the topic's partitions.
pub fn committed(brokers: &str, group: &str, topic: &str) -> i64 {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut list = TopicPartitionList::new();
    for partition in 0..PARTITIONS {
        list.add_partition(topic, partition);
    }
    consumer
        .committed_offsets(list, Duration::from_secs(10))
        .unwrap()
        .elements()
        .iter()
        .filter_map(|element| element.offset().to_raw())
        .filter(|offset| *offset >= 0)
        .sum()
}

#[tokio::test]
async fn orders_on_the_topic_are_reserved_and_bad_messages_dead_lettered() {
    let app = TestApp::spawn().await;
    app.given_stock("BRK-1", 4).await;
    let brokers = brokers();
    let topic = unique_name("orders.events");
    let dlq = unique_name("inventory.dlq");
    let group = unique_name("inventory");
    create_topics(&brokers, &[&topic, &dlq]).await;

    let first = created(&[("BRK-1", 2)]);
    let second = created(&[("BRK-1", 2)]);
    let mut wrong_version = first.to_json_value();
    wrong_version["version"] = 2.into();
    let key = |e: &events::Envelope| e.message_key();
    produce(
        &brokers,
        &topic,
        &[
            (key(&first), first.to_json().into_bytes()),
            ("junk".into(), b"{oops".to_vec()),
            (key(&first), wrong_version.to_string().into_bytes()),
            (key(&second), second.to_json().into_bytes()),
            // Redelivered as a producer retry would: the same event id again.
            (key(&first), first.to_json().into_bytes()),
            (key(&first), canceled(&first).to_json().into_bytes()),
        ],
    )
    .await;

    let settings = ConsumerSettings {
        kafka_brokers: brokers.clone(),
        topic: topic.clone(),
        dlq_topic: dlq.clone(),
        group: group.clone(),
        batch_max_messages: 100,
        batch_max_wait: Duration::from_millis(20),
    };
    let consumer = SagaConsumer::new(settings, app.pool().clone()).unwrap();
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(async move { consumer.run(stopped).await });

    eventually(
        Duration::from_secs(30),
        "both orders answered, the first released",
        || async { app.outbox().await.len() == 3 },
    )
    .await;
    // Both reserved 2 of 4 once (the redelivery changed nothing); the first was released.
    assert_eq!(app.stock("BRK-1").await, Some((4, 2)));
    assert_eq!(app.outbox_of("StockReserved").await.len(), 2);
    assert_eq!(app.outbox_of("StockReleased").await.len(), 1);

    let letters = consume_all(&brokers, &dlq, 2, Duration::from_secs(30));
    let mut codes: Vec<&str> = letters
        .iter()
        .map(|letter| letter.headers["error_code"].as_str())
        .collect();
    codes.sort();
    assert_eq!(codes, ["malformed_json", "unsupported_version"]);
    assert!(letters.iter().all(|l| l.payload["error_reason"]
        .as_str()
        .is_some_and(|r| !r.is_empty())));
    assert!(letters.iter().all(|l| l.headers["source_topic"] == topic));

    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(
        committed(&brokers, &group, &topic),
        6,
        "every offset committed"
    );
}
