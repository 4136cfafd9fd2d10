//! `StockRejected` cancels the unpaid order with exactly one `OrderCanceled` (reason
//! `out_of_stock`), even when the rejection is delivered again.

use api::orders::Reservation;
use events::{CancelReason, EventPayload};

use crate::helpers::{rejected, reserved, TestSaga};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_cancels_the_order_once() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    let event = rejected(order);
    saga.publish(&event).await;
    saga.wait_for(order, "canceled", "rejected").await;
    saga.publish(&event).await;
    let marker = saga.order(Reservation::Pending).await;
    saga.publish(&reserved(marker)).await;
    saga.wait_for(marker, "created", "reserved").await;

    let written = saga.outbox_events(order).await;
    assert_eq!(written.len(), 1, "{written:?}");
    let canceled = &written[0];
    assert_eq!(canceled.producer, "order-saga");
    assert_eq!(canceled.trace_id, "trace-inventory");
    let EventPayload::OrderCanceled(data) = &canceled.payload else {
        panic!("not OrderCanceled: {canceled:?}");
    };
    assert_eq!(data.order_id, order.id);
    assert_eq!(data.user_id, order.user_id);
    assert_eq!((data.total_amount, data.currency.as_str()), (300, "EUR"));
    assert_eq!(data.reason, Some(CancelReason::OutOfStock));
    // The outbox row is keyed like every order event, for the relay.
    let key: String =
        sqlx::query_scalar("SELECT message_key FROM outbox_events WHERE aggregate_id = $1")
            .bind(order.id)
            .fetch_one(saga.pool())
            .await
            .unwrap();
    assert_eq!(key, order.id.to_string());
    // The order keeps which lines were short, for its snapshot.
    let short_lines: serde_json::Value =
        sqlx::query_scalar("SELECT short_lines FROM orders WHERE id = $1")
            .bind(order.id)
            .fetch_one(saga.pool())
            .await
            .unwrap();
    assert_eq!(
        short_lines,
        serde_json::json!([{"sku": "SKU-1", "requested": 2, "available": 1}])
    );
    let untouched: serde_json::Value =
        sqlx::query_scalar("SELECT short_lines FROM orders WHERE id = $1")
            .bind(marker.id)
            .fetch_one(saga.pool())
            .await
            .unwrap();
    assert_eq!(
        untouched,
        serde_json::json!([]),
        "only a rejection records lines"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rejection_of_an_order_the_user_canceled_writes_no_second_cancellation() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    sqlx::query("UPDATE orders SET status = 'canceled' WHERE id = $1")
        .bind(order.id)
        .execute(saga.pool())
        .await
        .unwrap();
    saga.publish(&rejected(order)).await;
    saga.wait_for(order, "canceled", "rejected").await;
    assert!(saga.outbox_events(order).await.is_empty());
}
