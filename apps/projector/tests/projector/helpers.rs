use std::time::Duration;

use chrono::Utc;
use events::{Envelope, EventPayload, OrderCreated, OrderItem};
use mongodb::Database;
use platform::config::Env;
use projector::{Config, Projector};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use rdkafka::{Offset, TopicPartitionList};
use tokio::sync::watch;
use uuid::Uuid;

pub use testkit::eventually;
pub use testkit::kafka::{brokers, consume_all};

/// The server's URL with the path replaced by `database`.
pub fn mongodb_url(database: &str) -> String {
    let url = std::env::var("MONGODB_URL")
        .unwrap_or_else(|_| "mongodb://127.0.0.1:27017/?directConnection=true".to_owned());
    let (base, query) = url.split_once('?').unwrap_or((url.as_str(), ""));
    let scheme_end = base.find("://").map_or(0, |at| at + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |at| scheme_end + at);
    format!("{}/{database}?{query}", &base[..host_end])
}

/// Own topics (3 partitions each), consumer group and MongoDB database.
pub struct Setup {
    pub brokers: String,
    pub events_topic: String,
    pub stats_topic: String,
    pub dlq_topic: String,
    pub inventory_events_topic: String,
    pub inventory_dlq_topic: String,
    pub group: String,
    pub database: String,
}

impl Setup {
    pub async fn new() -> Self {
        let setup = Self {
            brokers: brokers(),
            events_topic: testkit::unique_name("test.orders.events"),
            stats_topic: testkit::unique_name("test.orders.sku-stats"),
            dlq_topic: testkit::unique_name("test.orders.dlq"),
            inventory_events_topic: testkit::unique_name("test.inventory.events"),
            inventory_dlq_topic: testkit::unique_name("test.inventory.dlq"),
            group: testkit::unique_name("test-projector"),
            database: testkit::unique_name("projector_test").replace('-', "_"),
        };
        testkit::kafka::create_topics(
            &setup.brokers,
            &[
                &setup.events_topic,
                &setup.stats_topic,
                &setup.dlq_topic,
                &setup.inventory_events_topic,
                &setup.inventory_dlq_topic,
            ],
        )
        .await;
        setup
    }

    pub fn config(&self) -> Config {
        let url = mongodb_url(&self.database);
        Config::from_env(&Env::from_pairs([
            ("KAFKA_BROKERS", self.brokers.as_str()),
            ("MONGODB_URL", url.as_str()),
            ("ORDERS_EVENTS_TOPIC", self.events_topic.as_str()),
            ("SKU_STATS_TOPIC", self.stats_topic.as_str()),
            ("DLQ_TOPIC", self.dlq_topic.as_str()),
            (
                "INVENTORY_EVENTS_TOPIC",
                self.inventory_events_topic.as_str(),
            ),
            ("INVENTORY_DLQ_TOPIC", self.inventory_dlq_topic.as_str()),
            ("CONSUMER_GROUP", self.group.as_str()),
        ]))
        .expect("test configuration is valid")
    }

    pub async fn database(&self) -> Database {
        mongodb::Client::with_uri_str(mongodb_url(&self.database))
            .await
            .expect("mongodb client")
            .database(&self.database)
    }

    /// Leaves nothing behind in the developer's MongoDB (called at the end of a test).
    pub async fn drop_database(&self) {
        self.database()
            .await
            .drop()
            .await
            .expect("drop test database");
    }

    pub async fn produce(&self, topic: &str, key: &str, payload: &[u8]) {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .set("enable.idempotence", "true")
            .create()
            .expect("producer");
        producer
            .send(
                FutureRecord::to(topic).key(key).payload(payload),
                Timeout::After(Duration::from_secs(10)),
            )
            .await
            .map_err(|(err, _)| err)
            .expect("test message delivered");
    }

    /// Sum of the group's committed offsets over `topic`'s partitions.
    pub fn committed(&self, topic: &str) -> i64 {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .set("group.id", &self.group)
            .create()
            .expect("consumer");
        let mut partitions = TopicPartitionList::new();
        for partition in 0..3 {
            partitions.add_partition(topic, partition);
        }
        consumer
            .committed_offsets(partitions, Duration::from_secs(10))
            .expect("committed offsets")
            .elements()
            .iter()
            .map(|element| match element.offset() {
                Offset::Offset(offset) => offset,
                _ => 0,
            })
            .sum()
    }
}

pub struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub async fn start(config: Config) -> Self {
        let projector = Projector::new(config).await.expect("projector builds");
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            projector.run(stopped).await.expect("projector runs");
        });
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.expect("projector task does not panic");
    }
}

pub fn order_created() -> Envelope {
    let order_id = Uuid::new_v4();
    Envelope::new(
        Uuid::new_v4(),
        Utc::now(),
        "test",
        "req-1",
        EventPayload::OrderCreated(OrderCreated {
            order_id,
            user_id: Uuid::new_v4(),
            currency: "HUF".into(),
            total_amount: 5_000_000_000,
            items: vec![OrderItem {
                sku: "SKU-1".into(),
                qty: 2,
                unit_price: 2_500_000_000,
            }],
        }),
    )
}
