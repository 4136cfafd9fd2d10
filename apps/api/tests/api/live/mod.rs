//! Live updates (docs/spec.md#live-updates): tickets, who may follow which channel, events
//! from the real topics (the stack's broker and stream job), resuming with `Last-Event-ID`,
//! a broker that is down, and the real binary holding 1,000 idle streams.

mod authorization;
mod binary;
mod broker_down;
mod orders;
mod pipeline;
mod resume;
mod stats;
mod tickets;

use std::time::Duration;

use api::live::LiveTopics;
use events::Envelope;
use platform::config::Env;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use serde_json::{json, Value};
use tokio::sync::watch;

use crate::helpers::TestApp;

/// Waits for an event of the real pipeline (outbox worker, broker, stream job).
pub const PIPELINE_TIMEOUT: Duration = Duration::from_secs(60);

/// An order body for one line of `sku`.
pub fn order_body(sku: &str, qty: i64, unit_price: i64) -> Value {
    json!({"currency": "EUR", "items": [{"sku": sku, "qty": qty, "unit_price": unit_price}]})
}

/// A SKU no other test or user orders.
pub fn unique_sku() -> String {
    format!("LIVE-{}", uuid::Uuid::new_v4().simple()).to_uppercase()
}

/// Topics of the test's own on `brokers`, created with the platform's partitions.
pub async fn own_topics(brokers: &str) -> LiveTopics {
    let topics = LiveTopics {
        sku_stats: testkit::unique_name("test.live.sku-stats"),
        order_events: testkit::unique_name("test.live.orders.events"),
        inventory_events: testkit::unique_name("test.live.inventory.events"),
    };
    testkit::kafka::create_topics(
        brokers,
        &[
            &topics.sku_stats,
            &topics.order_events,
            &topics.inventory_events,
        ],
    )
    .await;
    topics
}

/// Produces `envelope` to `topic`, keyed like the outbox worker does.
pub async fn produce(brokers: &str, topic: &str, envelope: &Envelope) {
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("message.timeout.ms", "10000")
        .create()
        .expect("producer");
    let payload = envelope.to_json();
    let key = envelope.message_key();
    producer
        .send(
            FutureRecord::to(topic).key(&key).payload(&payload),
            Duration::from_secs(10),
        )
        .await
        .expect("delivered");
}

/// The real outbox worker relaying the test app's outbox to the stack's `orders.events`,
/// as the stack's worker does for the stack's database; stops when dropped.
pub struct OutboxRelay {
    stop: watch::Sender<bool>,
}

impl OutboxRelay {
    pub fn start(app: &TestApp) -> Self {
        let env = Env::from_pairs([
            ("DATABASE_URL", app.db.url.as_str()),
            ("KAFKA_BROKERS", app.state.config.kafka_brokers.as_str()),
            ("OUTBOX_POLL_INTERVAL_MS", "100"),
        ]);
        let config = outbox_worker::Config::from_env(&env).expect("worker configuration");
        let worker = outbox_worker::Worker::new(config).expect("worker builds");
        let (stop, mut stopped) = watch::channel(false);
        tokio::spawn(async move {
            let _ = worker
                .run(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await;
        });
        Self { stop }
    }
}

impl Drop for OutboxRelay {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
