//! End to end: outbox rows → outbox worker → broker → projector → MongoDB.

use std::time::Duration;

use chrono::Utc;
use events::{Envelope, EventPayload, OrderStatusChanged};
use mongodb::bson::{doc, Document};
use platform::config::Env;
use testkit::TestDb;
use tokio::sync::watch;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn outbox_rows_end_up_in_the_audit_log_once() {
    let db = TestDb::migrated().await;
    let setup = Setup::new().await;
    let created = order_created();
    let order_id = created.order_id().unwrap();
    let paid = Envelope::new(
        Uuid::new_v4(),
        Utc::now(),
        "test",
        "req-2",
        EventPayload::OrderPaid(OrderStatusChanged {
            order_id,
            user_id: Uuid::new_v4(),
            total_amount: 5_000_000_000,
            currency: "HUF".into(),
            reason: None,
        }),
    );
    // Written as the api writes them: through the outbox crate, in insertion order.
    let key = order_id.to_string();
    for envelope in [&created, &paid] {
        let mut conn = db.pool.acquire().await.unwrap();
        outbox::insert(
            &mut conn,
            &outbox::NewEvent {
                id: envelope.event_id,
                key: &key,
                aggregate_type: "order",
                aggregate_id: order_id,
                event_type: envelope.event_type().as_str(),
                payload: &envelope.to_json_value(),
            },
        )
        .await
        .unwrap();
    }

    let worker_config = outbox_worker::Config::from_env(&Env::from_pairs([
        ("DATABASE_URL", db.url.as_str()),
        ("KAFKA_BROKERS", setup.brokers.as_str()),
        ("ORDERS_EVENTS_TOPIC", setup.events_topic.as_str()),
        ("DLQ_TOPIC", setup.dlq_topic.as_str()),
        ("OUTBOX_POLL_INTERVAL_MS", "100"),
    ]))
    .unwrap();
    let worker = outbox_worker::Worker::new(worker_config).unwrap();
    let (stop_worker, mut worker_stopped) = watch::channel(false);
    let worker_task = tokio::spawn(async move {
        worker
            .run(async move {
                let _ = worker_stopped.wait_for(|stop| *stop).await;
            })
            .await
    });
    let projector = Running::start(setup.config()).await;

    let collection = setup
        .database()
        .await
        .collection::<Document>(read_model::order_events::COLLECTION);
    eventually(Duration::from_secs(60), "both events projected", || async {
        collection
            .count_documents(doc! {"order_id": order_id.to_string()})
            .await
            .unwrap()
            == 2
    })
    .await;
    let _ = stop_worker.send(true);
    worker_task.await.unwrap().unwrap();
    projector.stop().await;

    for envelope in [&created, &paid] {
        let stored = collection
            .find_one(doc! {"event_id": envelope.event_id.to_string()})
            .await
            .unwrap()
            .expect("event projected");
        assert_eq!(
            stored.get_str("event_type").unwrap(),
            envelope.event_type().as_str()
        );
    }
    let unpublished: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE published_at IS NULL")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(unpublished, 0);
    setup.drop_database().await;
}
