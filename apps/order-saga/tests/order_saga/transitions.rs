//! Each inventory reply moves the order's reservation as docs/spec.md#order-reservation says,
//! through the real broker; replies that do not apply are skipped without stopping the
//! consumer, and every change drops the cached snapshot.

use api::orders::Reservation;
use chrono::{DateTime, Utc};
use events::{AdjustReason, EventPayload, StockAdjusted};
use redis::AsyncCommands;
use uuid::Uuid;

use crate::helpers::{
    committed, inventory_event, redis_url, released, reserved, TestOrder, TestSaga,
};

async fn reserved_at(saga: &TestSaga, order: TestOrder) -> Option<DateTime<Utc>> {
    sqlx::query_scalar("SELECT reserved_at FROM orders WHERE id = $1")
        .bind(order.id)
        .fetch_one(saga.pool())
        .await
        .unwrap()
}

async fn set_status(saga: &TestSaga, order: TestOrder, status: &str) {
    sqlx::query("UPDATE orders SET status = $2 WHERE id = $1")
        .bind(order.id)
        .bind(status)
        .execute(saga.pool())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reserved_then_committed_after_payment() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    let mut redis = redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    let key = format!("order:{}", order.id);
    let _: () = redis.set_ex(&key, "stale snapshot", 60).await.unwrap();

    let before = Utc::now();
    saga.publish(&reserved(order)).await;
    saga.wait_for(order, "created", "reserved").await;
    let at = reserved_at(&saga, order).await.expect("reserved_at is set");
    assert!(at >= before - chrono::Duration::seconds(5), "{at}");
    let cached: bool = redis.exists(&key).await.unwrap();
    assert!(!cached, "the change dropped the cached snapshot");

    set_status(&saga, order, "paid").await;
    saga.publish(&committed(order)).await;
    saga.wait_for(order, "paid", "committed").await;
    assert!(
        saga.outbox_events(order).await.is_empty(),
        "reserving and committing write no order event"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn released_after_a_cancellation() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    saga.publish(&reserved(order)).await;
    saga.wait_for(order, "created", "reserved").await;
    set_status(&saga, order, "canceled").await;
    saga.publish(&released(order)).await;
    saga.wait_for(order, "canceled", "released").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_that_do_not_apply_are_skipped_and_the_consumer_goes_on() {
    let saga = TestSaga::spawn().await;
    let pending = saga.order(Reservation::Pending).await;
    let outside = saga.order(Reservation::None).await;
    let unknown = TestOrder {
        id: Uuid::now_v7(),
        user_id: Uuid::now_v7(),
    };
    // Committed before reserved, a reply for an order outside the saga, one for an order
    // that does not exist, and a stock adjustment (about a SKU, not an order).
    saga.publish(&committed(pending)).await;
    saga.publish(&reserved(outside)).await;
    saga.publish(&reserved(unknown)).await;
    saga.publish(&inventory_event(EventPayload::StockAdjusted(
        StockAdjusted {
            sku: "SKU-1".to_owned(),
            reason: AdjustReason::Restock,
            previous_on_hand: 1,
            on_hand: 5,
            reserved: 0,
            actor_id: Uuid::now_v7(),
        },
    )))
    .await;
    // Then a reply that applies: it is reached, so nothing before it stopped the consumer.
    let later = saga.order(Reservation::Pending).await;
    saga.publish(&reserved(later)).await;
    saga.wait_for(later, "created", "reserved").await;
    saga.wait_for_processed(4).await;

    assert_eq!(
        saga.state_of(pending).await,
        ("created".to_owned(), "pending".to_owned())
    );
    assert_eq!(
        saga.state_of(outside).await,
        ("created".to_owned(), "none".to_owned())
    );
    assert!(reserved_at(&saga, outside).await.is_none());
}
