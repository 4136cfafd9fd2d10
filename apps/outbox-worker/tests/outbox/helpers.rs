use chrono::{DateTime, Utc};
use events::{Envelope, EventPayload, OrderCreated, OrderItem, OrderStatusChanged};
use outbox_worker::{Config, Worker};
use platform::config::Env;
use sqlx::PgPool;
use std::collections::HashMap;
use tokio::sync::watch;
use uuid::Uuid;

pub use testkit::eventually;
pub use testkit::kafka::{brokers, consume_all, create_topics, Consumed};

pub struct Topics {
    pub events: String,
    pub dlq: String,
}

impl Topics {
    pub async fn create(brokers: &str) -> Self {
        let topics = Self {
            events: testkit::unique_name("test.orders.events"),
            dlq: testkit::unique_name("test.orders.dlq"),
        };
        create_topics(brokers, &[&topics.events, &topics.dlq]).await;
        topics
    }
}

/// A worker configuration for tests: fast polls; `overrides` adjust anything else.
pub fn config(
    database_url: &str,
    brokers: &str,
    topics: &Topics,
    overrides: &[(&str, &str)],
) -> Config {
    let mut vars: HashMap<&str, &str> = HashMap::from([
        ("DATABASE_URL", database_url),
        ("KAFKA_BROKERS", brokers),
        ("ORDERS_EVENTS_TOPIC", topics.events.as_str()),
        ("DLQ_TOPIC", topics.dlq.as_str()),
        ("OUTBOX_POLL_INTERVAL_MS", "100"),
    ]);
    vars.extend(overrides.iter().copied());
    Config::from_env(&Env::from_pairs(vars)).expect("test configuration is valid")
}

/// A worker running in the background until [`Running::stop`].
pub struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    pub fn start(config: Config) -> Self {
        let worker = Worker::new(config).expect("worker builds");
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            worker
                .run(async move {
                    let _ = stopped.wait_for(|stop| *stop).await;
                })
                .await
                .expect("the producer never fails fatally here");
        });
        Self { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        self.task.await.expect("worker task does not panic");
    }
}

/// One event of an order: `seq` is the order's event number, kept in `trace_id` so the
/// tests can check the order on the topic.
pub fn envelope(order_id: Uuid, seq: usize) -> Envelope {
    let user_id = Uuid::nil();
    let payload = if seq == 0 {
        EventPayload::OrderCreated(OrderCreated {
            order_id,
            user_id,
            currency: "EUR".into(),
            total_amount: 300,
            items: vec![OrderItem {
                sku: "SKU-1".into(),
                qty: 3,
                unit_price: 100,
            }],
        })
    } else {
        EventPayload::OrderPaid(OrderStatusChanged {
            order_id,
            user_id,
            total_amount: 300,
            currency: "EUR".into(),
            reason: None,
        })
    };
    Envelope::new(
        Uuid::new_v4(),
        Utc::now(),
        "test",
        &format!("seq-{seq}"),
        payload,
    )
}

/// Inserts `per_order` events for each order as the API would (row id = event id, key =
/// order id), in bulk: an order's events get increasing `seq` (insertion order) and
/// `created_at`. Returns the envelopes in insertion order.
pub async fn insert_events(pool: &PgPool, orders: &[Uuid], per_order: usize) -> Vec<Envelope> {
    let base: DateTime<Utc> = Utc::now();
    let mut envelopes = Vec::new();
    let mut created = Vec::new();
    for seq in 0..per_order {
        for order_id in orders {
            envelopes.push(envelope(*order_id, seq));
            created.push(base + chrono::Duration::milliseconds(seq as i64));
        }
    }
    for (chunk, times) in envelopes.chunks(1_000).zip(created.chunks(1_000)) {
        let ids: Vec<Uuid> = chunk.iter().map(|e| e.event_id).collect();
        let aggregates: Vec<Uuid> = chunk.iter().filter_map(Envelope::order_id).collect();
        let types: Vec<String> = chunk.iter().map(|e| e.event_type().to_string()).collect();
        let payloads: Vec<serde_json::Value> = chunk.iter().map(Envelope::to_json_value).collect();
        sqlx::query(
            "INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json, created_at)
             SELECT id, aggregate_id::text, 'order', aggregate_id, event_type, payload, created_at
             FROM UNNEST($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[], $5::timestamptz[])
                  AS t(id, aggregate_id, event_type, payload, created_at)",
        )
        .bind(&ids)
        .bind(&aggregates)
        .bind(&types)
        .bind(&payloads)
        .bind(times)
        .execute(pool)
        .await
        .expect("insert outbox rows");
    }
    envelopes
}

pub async fn pending_count(pool: &PgPool) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events WHERE published_at IS NULL AND dead_at IS NULL",
    )
    .fetch_one(pool)
    .await
    .expect("count pending rows")
}

/// Asserts every envelope was published exactly once and each order's events arrived in
/// creation order (same key → same partition, read in offset order).
pub fn assert_exactly_once_in_order(envelopes: &[Envelope], consumed: &[Consumed]) {
    assert_eq!(
        consumed.len(),
        envelopes.len(),
        "one message per outbox row"
    );
    let mut seen = HashMap::new();
    let mut last_seq: HashMap<&str, (i32, i64)> = HashMap::new();
    for message in consumed {
        let event_id = message.payload["event_id"].as_str().expect("event_id");
        assert!(
            seen.insert(event_id.to_owned(), ()).is_none(),
            "duplicate {event_id}"
        );
        assert_eq!(
            message.payload["data"]["order_id"],
            message.key.as_str(),
            "key = order_id"
        );
        let seq: i64 = message.payload["trace_id"]
            .as_str()
            .and_then(|t| t.strip_prefix("seq-"))
            .and_then(|n| n.parse().ok())
            .expect("seq in trace_id");
        if let Some((partition, previous)) = last_seq.insert(&message.key, (message.partition, seq))
        {
            assert_eq!(partition, message.partition, "one order, one partition");
            assert_eq!(seq, previous + 1, "order {} out of order", message.key);
        } else {
            assert_eq!(seq, 0, "order {} starts with its first event", message.key);
        }
    }
    for envelope in envelopes {
        assert!(
            seen.contains_key(&envelope.event_id.to_string()),
            "missing {}",
            envelope.event_id
        );
    }
}
