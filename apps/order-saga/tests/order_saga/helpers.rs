//! [`TestSaga`]: the order saga running against a throwaway database and topics of the
//! test's own, with helpers to place orders, produce inventory replies and read back what
//! the saga did.

// Each helper covers its flow completely, whether or not every test uses every part.
#![allow(dead_code)]

use std::time::Duration;

use api::orders::Reservation;
use chrono::{SubsecRound, Utc};
use events::{Envelope, EventPayload, ShortLine, StockLine, StockRejected, StockReservation};
use order_saga::{Config, OrderSaga};
use platform::config::Env;
use rdkafka::config::ClientConfig;
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use sqlx::PgPool;
use testkit::TestDb;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use uuid::Uuid;

pub use testkit::eventually;
pub use testkit::kafka::{brokers, consume_all};

/// How long a test waits for the saga to act on a message.
pub const WAIT: Duration = Duration::from_secs(20);

pub fn redis_url() -> String {
    std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// One order as the tests place it: one line of `SKU-1` × 2 at 150 EUR cents.
#[derive(Debug, Clone, Copy)]
pub struct TestOrder {
    pub id: Uuid,
    pub user_id: Uuid,
}

pub struct TestSaga {
    pub db: TestDb,
    pub brokers: String,
    pub events_topic: String,
    pub dlq_topic: String,
    pub config: Config,
    producer: FutureProducer,
    stop: watch::Sender<bool>,
    running: Option<JoinHandle<()>>,
}

impl TestSaga {
    /// The saga with the default settings, running.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// The saga with extra settings (e.g. a short `RESERVATION_TTL_SECONDS`), running.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        Self::spawn_on(TestDb::migrated().await, extra).await
    }

    /// The saga on a migrated database of the test's choice (e.g. on a server the test
    /// stops and starts), running.
    pub async fn spawn_on(db: TestDb, extra: &[(&str, &str)]) -> Self {
        let brokers = brokers();
        let events_topic = testkit::unique_name("test.inventory.events");
        let dlq_topic = testkit::unique_name("test.inventory.dlq");
        testkit::kafka::create_topics(&brokers, &[&events_topic, &dlq_topic]).await;
        let group = testkit::unique_name("test-order-saga");
        let redis = redis_url();
        let mut pairs = vec![
            ("DATABASE_URL", db.url.as_str()),
            ("REDIS_URL", redis.as_str()),
            ("KAFKA_BROKERS", brokers.as_str()),
            ("INVENTORY_EVENTS_TOPIC", events_topic.as_str()),
            ("INVENTORY_DLQ_TOPIC", dlq_topic.as_str()),
            ("CONSUMER_GROUP", group.as_str()),
            ("RESERVATION_SWEEP_INTERVAL_MS", "200"),
        ];
        pairs.extend_from_slice(extra);
        let config = Config::from_env(&Env::from_pairs(pairs)).expect("test configuration");
        let producer = ClientConfig::new()
            .set("bootstrap.servers", &brokers)
            .set("message.timeout.ms", "10000")
            .create()
            .expect("producer");
        let (stop, stop_rx) = watch::channel(false);
        let saga = OrderSaga::new(config.clone()).expect("saga builds");
        let running = tokio::spawn(async move {
            saga.run(stop_rx)
                .await
                .expect("the saga runs until stopped");
        });
        Self {
            db,
            brokers,
            events_topic,
            dlq_topic,
            config,
            producer,
            stop,
            running: Some(running),
        }
    }

    pub fn pool(&self) -> &PgPool {
        &self.db.pool
    }

    /// Stops the saga and waits until it finished its last commit.
    pub async fn stop(&mut self) {
        let _ = self.stop.send(true);
        if let Some(running) = self.running.take() {
            tokio::time::timeout(WAIT, running)
                .await
                .expect("the saga stops in time")
                .expect("the saga task did not panic");
        }
    }

    /// A user and an unpaid order of theirs in reservation `reservation`, written directly
    /// (the API's part is tested in apps/api).
    pub async fn order(&self, reservation: Reservation) -> TestOrder {
        let user_id = Uuid::new_v4();
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, 'x', 'user')",
        )
        .bind(user_id)
        .bind(format!("{user_id}@example.com"))
        .execute(self.pool())
        .await
        .unwrap();
        let id = Uuid::now_v7();
        sqlx::query(
            "INSERT INTO orders (id, user_id, status, reservation, currency, total_amount, idempotency_key, request_hash)
             VALUES ($1, $2, 'created', $3, 'EUR', 300, gen_random_uuid(), 'test')",
        )
        .bind(id)
        .bind(user_id)
        .bind(reservation.as_str())
        .execute(self.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO order_items (id, order_id, sku, qty, unit_price) VALUES ($1, $2, 'SKU-1', 2, 150)",
        )
        .bind(Uuid::now_v7())
        .bind(id)
        .execute(self.pool())
        .await
        .unwrap();
        TestOrder { id, user_id }
    }

    /// Produces an envelope to the test's `inventory.events`, keyed as the inventory
    /// service keys it.
    pub async fn publish(&self, envelope: &Envelope) {
        self.publish_raw(&envelope.message_key(), envelope.to_json().as_bytes())
            .await;
    }

    pub async fn publish_raw(&self, key: &str, payload: &[u8]) {
        self.producer
            .send(
                FutureRecord::to(&self.events_topic)
                    .key(key)
                    .payload(payload),
                Timeout::After(WAIT),
            )
            .await
            .map_err(|(err, _)| err)
            .expect("the broker acknowledges");
    }

    /// `(status, reservation)` of the order, from the database.
    pub async fn state_of(&self, order: TestOrder) -> (String, String) {
        sqlx::query_as("SELECT status, reservation FROM orders WHERE id = $1")
            .bind(order.id)
            .fetch_one(self.pool())
            .await
            .unwrap()
    }

    /// Waits until the order has this status and reservation.
    pub async fn wait_for(&self, order: TestOrder, status: &str, reservation: &str) {
        eventually(WAIT, &format!("order {status}/{reservation}"), || async {
            let (s, r) = self.state_of(order).await;
            s == status && r == reservation
        })
        .await;
    }

    /// Waits until the inbox holds `count` events.
    pub async fn wait_for_processed(&self, count: i64) {
        eventually(WAIT, &format!("{count} processed events"), || async {
            self.processed_events().await == count
        })
        .await;
    }

    pub async fn processed_events(&self) -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM processed_events")
            .fetch_one(self.pool())
            .await
            .unwrap()
    }

    /// The events the saga wrote to the outbox for the order, oldest first.
    pub async fn outbox_events(&self, order: TestOrder) -> Vec<Envelope> {
        let payloads: Vec<serde_json::Value> = sqlx::query_scalar(
            "SELECT payload_json FROM outbox_events WHERE aggregate_id = $1 ORDER BY seq",
        )
        .bind(order.id)
        .fetch_all(self.pool())
        .await
        .unwrap();
        payloads
            .into_iter()
            .map(|payload| Envelope::from_json_value(payload).expect("a valid envelope"))
            .collect()
    }
}

impl Drop for TestSaga {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}

/// An envelope as the inventory service writes it.
pub fn inventory_event(payload: EventPayload) -> Envelope {
    Envelope::new(
        Uuid::now_v7(),
        Utc::now().trunc_subsecs(3),
        "inventory",
        "trace-inventory",
        payload,
    )
}

pub fn reservation(order: TestOrder) -> StockReservation {
    StockReservation {
        order_id: order.id,
        items: vec![StockLine {
            sku: "SKU-1".to_owned(),
            qty: 2,
        }],
    }
}

pub fn reserved(order: TestOrder) -> Envelope {
    inventory_event(EventPayload::StockReserved(reservation(order)))
}

pub fn committed(order: TestOrder) -> Envelope {
    inventory_event(EventPayload::StockCommitted(reservation(order)))
}

pub fn released(order: TestOrder) -> Envelope {
    inventory_event(EventPayload::StockReleased(reservation(order)))
}

pub fn rejected(order: TestOrder) -> Envelope {
    inventory_event(EventPayload::StockRejected(StockRejected {
        order_id: order.id,
        short_lines: vec![ShortLine {
            sku: "SKU-1".to_owned(),
            requested: 2,
            available: 1,
        }],
    }))
}
