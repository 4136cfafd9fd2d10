//! The pipeline page under test: the api watching topics and a consumer group of the
//! test's own on the stack's broker (the shared stack's real groups move on their own),
//! and the page's endpoints, one method each.

use std::time::Duration;

use api::config::Config;
use api::pipeline::watched::{Watched, WatchedGroup};
use api::AppState;
use axum::http::Method;
use platform::config::Env;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use testkit::kafka::{brokers, create_topics};
use testkit::{unique_name, TestDb};

use super::{test_env, TestApp, TestInventory, TestResponse, TestUser};

/// Two topics of 3 partitions and a consumer group reading both, all named for one test.
pub struct TestTopics {
    pub brokers: String,
    pub orders: String,
    pub stock: String,
    pub group: String,
}

impl TestTopics {
    pub async fn create() -> Self {
        let topics = Self {
            brokers: brokers(),
            orders: unique_name("pipeline.orders"),
            stock: unique_name("pipeline.stock"),
            group: unique_name("pipeline-group"),
        };
        create_topics(&topics.brokers, &[&topics.orders, &topics.stock]).await;
        topics
    }

    /// What the page watches: these topics, and the group in the role `projector`.
    pub fn watched(&self) -> Watched {
        Watched {
            topics: vec![self.orders.clone(), self.stock.clone()],
            groups: vec![WatchedGroup {
                id: self.group.clone(),
                role: "projector".to_owned(),
                topics: vec![self.orders.clone(), self.stock.clone()],
            }],
            stream_job: events::consumer_groups::STREAM_JOB_NAME.to_owned(),
        }
    }

    /// `count` messages on one partition.
    pub async fn produce(&self, topic: &str, partition: i32, count: usize) {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .set("message.timeout.ms", "10000")
            .create()
            .expect("producer");
        for n in 0..count {
            let payload = format!("{{\"n\": {n}}}");
            producer
                .send(
                    FutureRecord::to(topic)
                        .partition(partition)
                        .key("k")
                        .payload(payload.as_bytes()),
                    Duration::from_secs(10),
                )
                .await
                .map_err(|(err, _)| err)
                .expect("test message delivered");
        }
    }

    /// Commits `offset` for the group on one partition, as a consumer that read up to
    /// there would (without joining the group, like Flink's Kafka source).
    pub async fn commit(&self, topic: &str, partition: i32, offset: i64) {
        let (brokers, group, topic) = (self.brokers.clone(), self.group.clone(), topic.to_owned());
        tokio::task::spawn_blocking(move || {
            let consumer: BaseConsumer = ClientConfig::new()
                .set("bootstrap.servers", &brokers)
                .set("group.id", &group)
                .set("enable.auto.commit", "false")
                .create()
                .expect("consumer");
            let mut offsets = TopicPartitionList::new();
            offsets
                .add_partition_offset(&topic, partition, Offset::Offset(offset))
                .expect("offset");
            consumer
                .commit(&offsets, CommitMode::Sync)
                .expect("offsets committed");
        })
        .await
        .unwrap();
    }
}

impl TestApp {
    /// The api watching `watched`, with its environment adjusted by `adjust` (e.g. a
    /// `KAFKA_BROKERS` where nothing listens) and, when given, a real inventory service.
    pub async fn with_pipeline(
        watched: Watched,
        inventory: Option<TestInventory>,
        adjust: impl FnOnce(&mut Vec<(String, String)>),
    ) -> Self {
        let db = TestDb::migrated().await;
        let mut vars = test_env(&db.url);
        if let Some(inventory) = &inventory {
            vars.retain(|(name, _)| name != "INVENTORY_URL");
            vars.push(("INVENTORY_URL".to_owned(), inventory.url.clone()));
        }
        adjust(&mut vars);
        let env = Env::from_pairs(vars.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let config = Config::from_env(&env).expect("test configuration is valid");
        let mut state = AppState::new(config).expect("state builds");
        state.pipeline = state.pipeline.clone().watching(watched);
        Self {
            router: api::router(state.clone()),
            state,
            db,
            inventory,
        }
    }

    /// `GET /admin/pipeline`.
    pub async fn pipeline_status(&self, user: &TestUser) -> TestResponse {
        self.get_as(user, "/admin/pipeline").await
    }

    /// `POST /admin/pipeline/outboxes/{name}/requeue-dead`.
    pub async fn requeue_dead_outbox(&self, user: &TestUser, name: &str) -> TestResponse {
        self.request(
            Method::POST,
            &format!("/admin/pipeline/outboxes/{name}/requeue-dead"),
        )
        .bearer(&user.access_token)
        .send()
        .await
    }
}

/// Replaces (or adds) one variable of a test environment.
pub fn set_var(vars: &mut Vec<(String, String)>, name: &str, value: &str) {
    vars.retain(|(existing, _)| existing != name);
    vars.push((name.to_owned(), value.to_owned()));
}

/// Outbox rows straight in a database (the api's or the inventory service's): `pending`
/// waiting, `dead` dead-lettered after 10 attempts, `published` published just now.
pub async fn given_outbox_rows(pool: &sqlx::PgPool, pending: i64, dead: i64, published: i64) {
    sqlx::query(
        "INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json,
                                    published_at, dead_at, publish_attempts)
         SELECT gen_random_uuid(), 'key-' || i, 'order', gen_random_uuid(), 'OrderCreated', '{}'::jsonb,
                CASE WHEN i > $1 + $2 THEN now() END,
                CASE WHEN i > $1 AND i <= $1 + $2 THEN now() END,
                CASE WHEN i > $1 AND i <= $1 + $2 THEN 10 ELSE 0 END
         FROM generate_series(1, $1 + $2 + $3) AS i",
    )
    .bind(pending)
    .bind(dead)
    .bind(published)
    .execute(pool)
    .await
    .expect("outbox rows inserted");
}

/// `(pending, dead)` rows of an outbox table.
pub async fn outbox_counts(pool: &sqlx::PgPool) -> (i64, i64) {
    sqlx::query_as(
        "SELECT count(*) FILTER (WHERE published_at IS NULL AND dead_at IS NULL),
                count(*) FILTER (WHERE dead_at IS NOT NULL)
         FROM outbox_events",
    )
    .fetch_one(pool)
    .await
    .expect("outbox counted")
}
