//! The hub's feed: one Kafka consumer per api process on `orders.sku-stats`,
//! `orders.events` and `inventory.events`. It is assigned every partition at the offset
//! where the partition ends when it starts (a stream shows what happens from now on), joins
//! no group and commits nothing: librdkafka requires a `group.id`, so each process uses
//! a unique one that never appears on the broker.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use events::Envelope;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use uuid::Uuid;

use super::domain::{order_data, stats_data, Subject};
use super::hub::{stopped, Hub};

/// Topics the hub reads; the platform's by default (tests use topics of their own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveTopics {
    pub sku_stats: String,
    pub order_events: String,
    pub inventory_events: String,
}

impl Default for LiveTopics {
    fn default() -> Self {
        Self {
            sku_stats: events::TOPIC_SKU_STATS.to_owned(),
            order_events: events::TOPIC_ORDER_EVENTS.to_owned(),
            inventory_events: events::TOPIC_INVENTORY_EVENTS.to_owned(),
        }
    }
}

impl LiveTopics {
    fn all(&self) -> [String; 3] {
        [
            self.sku_stats.clone(),
            self.order_events.clone(),
            self.inventory_events.clone(),
        ]
    }
}

/// How long one metadata or offset request may take.
const BROKER_TIMEOUT: Duration = Duration::from_secs(5);
/// Pause before the next attempt to assign while the broker is down.
const RETRY_DELAY: Duration = Duration::from_secs(3);
/// Pause after a consume error (librdkafka reconnects by itself meanwhile).
const ERROR_PAUSE: Duration = Duration::from_millis(500);

/// Assigns the consumer (retrying until the broker answers), then publishes every message
/// until the hub shuts down.
#[tracing::instrument(name = "live hub consumer", skip_all)]
pub(super) async fn run(hub: Hub, brokers: String, topics: LiveTopics) {
    let mut shutdown = hub.shutdown_signal();
    let mut failures = 0u32;
    let consumer = loop {
        match assign_at_end(&brokers, &topics).await {
            Ok(consumer) => break consumer,
            Err(err) => {
                // Loud once, then quiet: the api serves without the broker.
                if failures == 0 {
                    tracing::warn!(
                        error = format!("{err:#}"),
                        "live hub cannot assign its topics yet; retrying"
                    );
                } else {
                    tracing::debug!(error = format!("{err:#}"), "live hub still cannot assign");
                }
                failures += 1;
                tokio::select! {
                    () = tokio::time::sleep(RETRY_DELAY) => {}
                    () = stopped(&mut shutdown) => return,
                }
            }
        }
    };
    hub.mark_ready();
    tracing::info!("live hub assigned at the end of its topics");
    loop {
        let received = tokio::select! {
            () = stopped(&mut shutdown) => return,
            received = consumer.recv() => received.map(|message| {
                event_of(&topics, message.topic(), message.payload())
            }),
        };
        match received {
            Ok(Some((subject, data))) => {
                hub.publish(subject, data);
            }
            Ok(None) => metrics::counter!("live_messages_skipped_total").increment(1),
            Err(err) => {
                tracing::debug!(error = %err, "live hub consume error");
                tokio::time::sleep(ERROR_PAUSE).await;
            }
        }
    }
}

/// The event a message becomes, or `None` for one the streams do not show (malformed,
/// a tombstone, a stock adjustment about no order). Malformed messages are the
/// projector's to dead-letter; the hub just skips them.
pub fn event_of(
    topics: &LiveTopics,
    topic: &str,
    payload: Option<&[u8]>,
) -> Option<(Subject, String)> {
    let payload = payload?;
    if topic == topics.sku_stats {
        let stat = read_model::parse_sku_stat_message(payload).ok()?;
        Some((Subject::Stats, stats_data(&stat)))
    } else if topic == topics.order_events || topic == topics.inventory_events {
        let envelope = Envelope::parse(payload).ok()?;
        let (order_id, data) = order_data(&envelope)?;
        Some((Subject::Order(order_id), data))
    } else {
        None
    }
}

fn consumer_config(brokers: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("orderflow-api-live-{}", Uuid::new_v4()))
        .set("client.id", "orderflow-api-live")
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "latest")
        .set("allow.auto.create.topics", "false")
        .set("log_level", "3");
    config
}

/// A consumer assigned to every partition of `topics` at its current end offset. The end
/// offsets are read here rather than left to librdkafka (`Offset::End`), so that every
/// message produced after this returns is delivered.
async fn assign_at_end(brokers: &str, topics: &LiveTopics) -> anyhow::Result<Arc<StreamConsumer>> {
    let consumer: Arc<StreamConsumer> = Arc::new(consumer_config(brokers).create()?);
    let names = topics.all();
    let reader = Arc::clone(&consumer);
    let assignment = tokio::task::spawn_blocking(move || -> anyhow::Result<TopicPartitionList> {
        let mut assignment = TopicPartitionList::new();
        for topic in &names {
            let metadata = reader
                .fetch_metadata(Some(topic), BROKER_TIMEOUT)
                .with_context(|| format!("metadata of {topic}"))?;
            let partitions: Vec<i32> = metadata
                .topics()
                .iter()
                .filter(|t| t.name() == topic.as_str() && t.error().is_none())
                .flat_map(|t| t.partitions().iter().map(|p| p.id()))
                .collect();
            if partitions.is_empty() {
                bail!("topic {topic} does not exist yet");
            }
            for partition in partitions {
                let (_, end) = reader
                    .fetch_watermarks(topic, partition, BROKER_TIMEOUT)
                    .with_context(|| format!("end offset of {topic}/{partition}"))?;
                assignment.add_partition_offset(topic, partition, Offset::Offset(end))?;
            }
        }
        Ok(assignment)
    })
    .await??;
    consumer.assign(&assignment)?;
    Ok(consumer)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use events::{EventPayload, OrderStatusChanged};
    use serde_json::{json, Value};

    use super::*;

    fn data(event: Option<(Subject, String)>) -> (Subject, Value) {
        let (subject, data) = event.expect("an event");
        (subject, serde_json::from_str(&data).unwrap())
    }

    #[test]
    fn order_and_inventory_events_become_order_hints() {
        let topics = LiveTopics::default();
        let order_id = Uuid::now_v7();
        let envelope = Envelope::new(
            Uuid::now_v7(),
            Utc.with_ymd_and_hms(2026, 11, 26, 16, 0, 0).unwrap(),
            "api",
            "trace",
            EventPayload::OrderPaid(OrderStatusChanged {
                order_id,
                user_id: Uuid::now_v7(),
                total_amount: 100,
                currency: "EUR".to_owned(),
                reason: None,
            }),
        );
        let bytes = envelope.to_json();
        for topic in ["orders.events", "inventory.events"] {
            let (subject, value) = data(event_of(&topics, topic, Some(bytes.as_bytes())));
            assert_eq!(subject, Subject::Order(order_id));
            assert_eq!(
                value,
                json!({"order_id": order_id, "event_type": "OrderPaid", "at": "2026-11-26T16:00:00.000Z"})
            );
        }
        assert!(event_of(&topics, "orders.dlq", Some(bytes.as_bytes())).is_none());
    }

    #[test]
    fn sku_stats_become_stats_events() {
        let message = br#"{"sku":"SKU-1","currency":"EUR","window_start":"2026-11-25T10:30:00Z","window_end":"2026-11-25T10:31:00Z","qty_sum":7,"revenue_sum":8750}"#;
        let (subject, value) = data(event_of(
            &LiveTopics::default(),
            "orders.sku-stats",
            Some(message),
        ));
        assert_eq!(subject, Subject::Stats);
        assert_eq!(value["sku"], "SKU-1");
        assert_eq!(value["revenue_sum"], 8750);
    }

    #[test]
    fn malformed_messages_and_tombstones_are_skipped() {
        let topics = LiveTopics::default();
        for (topic, payload) in [
            ("orders.sku-stats", Some(&b"{nope"[..])),
            ("orders.sku-stats", None),
            ("orders.events", Some(&br#"{"event_type":"OrderPaid"}"#[..])),
            ("inventory.events", Some(&b"[]"[..])),
        ] {
            assert!(event_of(&topics, topic, payload).is_none(), "{topic}");
        }
    }

    #[test]
    fn the_consumer_never_commits() {
        let config = consumer_config("broker:9092");
        assert_eq!(config.get("enable.auto.commit"), Some("false"));
        assert_eq!(config.get("enable.auto.offset.store"), Some("false"));
        assert!(config
            .get("group.id")
            .is_some_and(|group| group.starts_with("orderflow-api-live-")));
        assert_ne!(
            consumer_config("b:1").get("group.id"),
            config.get("group.id"),
            "a group of its own per process"
        );
    }
}
