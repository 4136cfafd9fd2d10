//! A redelivered event (the same `event_id`, e.g. after a crash before the offset commit)
//! changes nothing: the inbox row was written with the change.

use api::orders::Reservation;

use crate::helpers::{released, reserved, TestSaga};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_event_twice_is_applied_once() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    let event = reserved(order);
    saga.publish(&event).await;
    saga.wait_for(order, "created", "reserved").await;
    let first_reserved_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT reserved_at FROM orders WHERE id = $1")
            .bind(order.id)
            .fetch_one(saga.pool())
            .await
            .unwrap();

    // Released in between; the redelivered StockReserved must not bring the order back.
    sqlx::query("UPDATE orders SET status = 'canceled' WHERE id = $1")
        .bind(order.id)
        .execute(saga.pool())
        .await
        .unwrap();
    saga.publish(&released(order)).await;
    saga.wait_for(order, "canceled", "released").await;
    saga.publish(&event).await;
    let marker = saga.order(Reservation::Pending).await;
    saga.publish(&reserved(marker)).await;
    saga.wait_for(marker, "created", "reserved").await;

    assert_eq!(
        saga.processed_events().await,
        3,
        "the duplicate left no inbox row"
    );
    assert_eq!(
        saga.state_of(order).await,
        ("canceled".to_owned(), "released".to_owned())
    );
    let reserved_at: chrono::DateTime<chrono::Utc> =
        sqlx::query_scalar("SELECT reserved_at FROM orders WHERE id = $1")
            .bind(order.id)
            .fetch_one(saga.pool())
            .await
            .unwrap();
    assert_eq!(reserved_at, first_reserved_at);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_consumed_again_after_a_restart_change_nothing() {
    let mut saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    let event = reserved(order);
    saga.publish(&event).await;
    saga.wait_for(order, "created", "reserved").await;
    saga.stop().await;

    // Another consumer group reads the topic from the start: everything is redelivered.
    let mut again = saga.config.clone();
    again.consumer_group = testkit::unique_name("test-order-saga-again");
    let (stop, stop_rx) = tokio::sync::watch::channel(false);
    let rerun = order_saga::OrderSaga::new(again).unwrap();
    let running = tokio::spawn(async move { rerun.run(stop_rx).await });
    let marker = saga.order(Reservation::Pending).await;
    saga.publish(&reserved(marker)).await;
    saga.wait_for(marker, "created", "reserved").await;
    stop.send(true).unwrap();
    running.await.unwrap().unwrap();

    assert_eq!(saga.processed_events().await, 2);
    assert_eq!(
        saga.state_of(order).await,
        ("created".to_owned(), "reserved".to_owned())
    );
}
