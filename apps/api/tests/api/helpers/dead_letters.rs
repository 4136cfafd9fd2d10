//! The dead-letter console's endpoints, and the broker side its tests need: dead letters
//! written to the shared DLQ topics exactly as the consumers write them
//! (`kafka_consumer::dead_letter::publish`), events published to the shared topics the
//! stack's projector consumes, and the projector's audit log read back.

use std::time::{Duration, Instant};

use axum::http::{Method, StatusCode};
use chrono::Utc;
use events::{Envelope, EventPayload, OrderCreated, OrderItem};
use mongodb::bson::doc;
use rdkafka::message::{OwnedMessage, Timestamp};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::util::Timeout;
use read_model::order_events;
use serde_json::Value;
use uuid::Uuid;

use super::{TestApp, TestResponse, TestUser};

/// Projector, broker and MongoDB of the shared stack may be busy: generous.
pub const PIPELINE_TIMEOUT: Duration = Duration::from_secs(90);

impl TestApp {
    /// `GET /admin/dead-letters?{query}`.
    pub async fn dead_letters(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &format!("/admin/dead-letters?{query}"))
            .await
    }

    /// `POST /admin/dead-letters/{topic}/{partition}/{offset}/redrive`.
    pub async fn redrive_dead_letter(&self, user: &TestUser, letter: &Value) -> TestResponse {
        self.post_as(user, &format!("{}/redrive", letter_path(letter)))
            .await
    }

    /// `POST /admin/dead-letters/{topic}/{partition}/{offset}/discard`.
    pub async fn discard_dead_letter(&self, user: &TestUser, letter: &Value) -> TestResponse {
        self.post_as(user, &format!("{}/discard", letter_path(letter)))
            .await
    }

    /// `POST /admin/dead-letters/redrive` with `{"topic", "error_code"}`.
    pub async fn redrive_all_dead_letters(
        &self,
        user: &TestUser,
        topic: &str,
        error_code: &str,
    ) -> TestResponse {
        self.request(Method::POST, "/admin/dead-letters/redrive")
            .bearer(&user.access_token)
            .json(&serde_json::json!({"topic": topic, "error_code": error_code}))
            .send()
            .await
    }

    /// `GET /admin/operator-actions?{query}`.
    pub async fn operator_actions(&self, user: &TestUser, query: &str) -> TestResponse {
        self.get_as(user, &format!("/admin/operator-actions?{query}"))
            .await
    }

    /// `POST path` without a body as `user`.
    pub async fn post_as(&self, user: &TestUser, path: &str) -> TestResponse {
        self.request(Method::POST, path)
            .bearer(&user.access_token)
            .send()
            .await
    }

    /// The items listed for `query` (which must succeed).
    pub async fn dead_letter_items(&self, admin: &TestUser, query: &str) -> Vec<Value> {
        let response = self.dead_letters(admin, query).await;
        assert_eq!(response.status, StatusCode::OK, "{}", response.text());
        response.json()["items"].as_array().unwrap().clone()
    }

    /// Lists `query` until an item satisfies `wanted` (the pipeline is asynchronous);
    /// fails after [`PIPELINE_TIMEOUT`].
    pub async fn wait_for_dead_letter(
        &self,
        admin: &TestUser,
        query: &str,
        wanted: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + PIPELINE_TIMEOUT;
        loop {
            let items = self.dead_letter_items(admin, query).await;
            if let Some(item) = items.into_iter().find(|item| wanted(item)) {
                return item;
            }
            assert!(
                Instant::now() < deadline,
                "no such dead letter listed for {query}"
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The only letter of `topic` with `error_code` (a code unique to the test).
    pub async fn only_dead_letter(&self, admin: &TestUser, topic: &str, code: &str) -> Value {
        let items = self
            .dead_letter_items(
                admin,
                &format!("topic={topic}&reason={code}&include_discarded=true"),
            )
            .await;
        assert_eq!(items.len(), 1, "{items:#?}");
        items[0].clone()
    }
}

/// `/admin/dead-letters/{topic}/{partition}/{offset}` of a listed item.
pub fn letter_path(letter: &Value) -> String {
    format!(
        "/admin/dead-letters/{}/{}/{}",
        letter["topic"].as_str().unwrap(),
        letter["partition"],
        letter["offset"]
    )
}

/// A code no other test uses, so a test's letters are exactly those with its code.
pub fn unique_error_code(prefix: &str) -> String {
    format!("test_{prefix}_{}", Uuid::new_v4().simple())
}

/// The shared broker, as the consumers and the outbox worker talk to it.
pub struct SharedBroker {
    producer: FutureProducer,
}

impl SharedBroker {
    pub fn new() -> Self {
        let producer = kafka_consumer::clients::dlq_producer(
            &testkit::kafka::brokers(),
            "orderflow-api-tests",
        )
        .expect("producer");
        Self { producer }
    }

    /// Publishes `payload` under `key` to `topic`; returns (partition, offset).
    pub async fn publish(&self, topic: &str, key: &str, payload: &[u8]) -> (i32, i64) {
        let delivery = self
            .producer
            .send(
                FutureRecord::to(topic).key(key).payload(payload),
                Timeout::After(Duration::from_secs(30)),
            )
            .await
            .map_err(|(err, _)| err)
            .expect("published");
        (delivery.partition, delivery.offset)
    }

    /// Writes to `dlq_topic` the dead letter a consumer writes for `original` read from
    /// `source_topic` (at a made-up partition and offset), with the shared writer.
    pub async fn dead_letter(
        &self,
        dlq_topic: &str,
        source_topic: &str,
        key: &str,
        original: &[u8],
        error_code: &str,
    ) {
        let message = OwnedMessage::new(
            Some(original.to_vec()),
            Some(key.as_bytes().to_vec()),
            source_topic.to_owned(),
            Timestamp::now(),
            rand::random::<u8>() as i32 % 3,
            rand::random::<u32>() as i64,
            None,
        );
        kafka_consumer::dead_letter::publish(
            &self.producer,
            dlq_topic,
            &message,
            error_code,
            "rejected by a test consumer",
        )
        .await
        .expect("dead letter published");
    }

    /// The dead letter a consumer of `orders.events` writes for `event`, in `orders.dlq`.
    pub async fn dead_letter_order_event(&self, event: &Envelope, error_code: &str) {
        self.dead_letter(
            "orders.dlq",
            "orders.events",
            &event.message_key(),
            event.to_json().as_bytes(),
            error_code,
        )
        .await;
    }
}

/// A valid `OrderCreated` of a new order for a SKU the inventory does not know (it is
/// rejected there, harmlessly), keyed as the outbox keys it.
pub fn order_created() -> Envelope {
    let order_id = Uuid::new_v4();
    let payload = EventPayload::OrderCreated(OrderCreated {
        order_id,
        user_id: Uuid::new_v4(),
        currency: "EUR".to_owned(),
        total_amount: 300,
        items: vec![OrderItem {
            sku: "DLQ-TEST-UNKNOWN".to_owned(),
            qty: 2,
            unit_price: 150,
        }],
    });
    Envelope::new(Uuid::new_v4(), Utc::now(), "api", "dlq-test", payload)
}

/// How many audit documents the projector wrote for `event_id`.
pub async fn audit_count(app: &TestApp, event_id: Uuid) -> u64 {
    order_events::collection(&app.state.mongo)
        .count_documents(doc! {order_events::fields::EVENT_ID: event_id.to_string()})
        .await
        .expect("count audit documents")
}
