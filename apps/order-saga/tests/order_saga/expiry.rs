//! Unpaid reservations expire after `RESERVATION_TTL_SECONDS`: the sweeper cancels the
//! order with `OrderCanceled` (reason `reservation_expired`); paid orders, orders still
//! waiting for the inventory and orders outside the saga are never swept.

use api::orders::Reservation;
use events::{CancelReason, EventPayload};

use crate::helpers::{reserved, TestSaga};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unpaid_reservation_expires_after_the_ttl() {
    let saga = TestSaga::spawn_with(&[("RESERVATION_TTL_SECONDS", "1")]).await;
    let unpaid = saga.order(Reservation::Pending).await;
    let paid = saga.order(Reservation::Pending).await;
    let pending = saga.order(Reservation::Pending).await;
    let outside = saga.order(Reservation::None).await;
    saga.publish(&reserved(paid)).await;
    saga.wait_for(paid, "created", "reserved").await;
    sqlx::query("UPDATE orders SET status = 'paid' WHERE id = $1")
        .bind(paid.id)
        .execute(saga.pool())
        .await
        .unwrap();
    saga.publish(&reserved(unpaid)).await;

    // Canceled; the reservation stays `reserved` until the inventory releases the stock.
    saga.wait_for(unpaid, "canceled", "reserved").await;
    let written = saga.outbox_events(unpaid).await;
    assert_eq!(written.len(), 1, "{written:?}");
    assert_eq!(written[0].producer, "order-saga");
    let EventPayload::OrderCanceled(data) = &written[0].payload else {
        panic!("not OrderCanceled: {:?}", written[0]);
    };
    assert_eq!(data.reason, Some(CancelReason::ReservationExpired));
    assert_eq!(data.user_id, unpaid.user_id);

    // Well past the TTL, the others are untouched.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    for (order, state) in [
        (paid, ("paid", "reserved")),
        (pending, ("created", "pending")),
        (outside, ("created", "none")),
    ] {
        let (status, reservation) = saga.state_of(order).await;
        assert_eq!((status.as_str(), reservation.as_str()), state);
        assert!(saga.outbox_events(order).await.is_empty());
    }
    assert_eq!(saga.outbox_events(unpaid).await.len(), 1, "swept once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reservation_within_the_ttl_is_kept() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    saga.publish(&reserved(order)).await;
    saga.wait_for(order, "created", "reserved").await;
    // Several sweeps (every 200 ms here) with the default TTL of 900 s.
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(
        saga.state_of(order).await,
        ("created".to_owned(), "reserved".to_owned())
    );
}
