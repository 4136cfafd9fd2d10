//! A redelivered event changes nothing (the inbox); paying commits, canceling releases,
//! each exactly once; orders the saga never saw only get their inbox row.

use chrono::Utc;
use inventory::saga::Outcome;

use crate::helpers::{canceled, created, paid, TestApp};

#[tokio::test]
async fn the_same_order_created_twice_reserves_once() {
    let app = TestApp::spawn().await;
    app.given_stock("RD-1", 5).await;
    let order = created(&[("RD-1", 2)]);

    assert_eq!(app.handle(&order).await, Outcome::Reserved);
    assert_eq!(app.handle(&order).await, Outcome::Duplicate);

    assert_eq!(app.stock("RD-1").await, Some((5, 2)));
    assert_eq!(app.outbox().await.len(), 1);
}

#[tokio::test]
async fn the_same_order_canceled_twice_releases_once() {
    let app = TestApp::spawn().await;
    app.given_stock("RD-2", 5).await;
    let order = created(&[("RD-2", 2)]);
    let cancel = canceled(&order);
    app.handle(&order).await;

    assert_eq!(app.handle(&cancel).await, Outcome::Released);
    assert_eq!(app.handle(&cancel).await, Outcome::Duplicate);
    // Another cancel event for the same order (new event id) finds nothing held.
    assert_eq!(app.handle(&canceled(&order)).await, Outcome::Ignored);

    assert_eq!(app.stock("RD-2").await, Some((5, 0)));
    let order_id = order.order_id().unwrap();
    assert_eq!(
        app.reservation_state(order_id).await.as_deref(),
        Some("released")
    );
    assert_eq!(app.outbox_of("StockReleased").await.len(), 1);
}

#[tokio::test]
async fn paying_commits_on_hand_and_reserved_both_drop_once() {
    let app = TestApp::spawn().await;
    app.given_stock("RD-3", 5).await;
    let order = created(&[("RD-3", 2)]);
    let pay = paid(&order);
    app.handle(&order).await;

    assert_eq!(app.handle(&pay).await, Outcome::Committed);
    assert_eq!(app.handle(&pay).await, Outcome::Duplicate);
    assert_eq!(app.stock("RD-3").await, Some((3, 0)));

    // A cancel after payment returns nothing: the units are sold.
    assert_eq!(app.handle(&canceled(&order)).await, Outcome::Ignored);
    assert_eq!(app.stock("RD-3").await, Some((3, 0)));
    let committed = app.outbox_of("StockCommitted").await;
    assert_eq!(committed.len(), 1);
    assert_eq!(committed[0]["data"]["items"][0]["qty"], 2);
}

#[tokio::test]
async fn a_rejected_order_holds_nothing_to_release_or_commit() {
    let app = TestApp::spawn().await;
    app.given_stock("RD-4", 1).await;
    let order = created(&[("RD-4", 2)]);
    assert_eq!(app.handle(&order).await, Outcome::Rejected);
    assert_eq!(app.handle(&canceled(&order)).await, Outcome::Ignored);
    assert_eq!(app.handle(&paid(&order)).await, Outcome::Ignored);
    assert_eq!(app.stock("RD-4").await, Some((1, 0)));
}

#[tokio::test]
async fn events_of_orders_placed_before_inventory_only_get_their_inbox_row() {
    let app = TestApp::spawn().await;
    app.given_stock("RD-5", 5).await;
    // The consumer reads orders.events from the beginning: it meets orders placed before
    // the inventory database was created.
    let mut old_order = created(&[("RD-5", 1)]);
    old_order.occurred_at = Utc::now() - chrono::Duration::hours(1);
    let (pay, cancel) = (paid(&old_order), canceled(&old_order));

    assert_eq!(app.handle(&old_order).await, Outcome::Ignored);
    assert_eq!(app.handle(&pay).await, Outcome::Ignored);
    assert_eq!(app.handle(&cancel).await, Outcome::Ignored);

    for event in [&old_order, &pay, &cancel] {
        assert!(app.processed(event.event_id).await);
    }
    assert_eq!(
        app.reservation_state(old_order.order_id().unwrap()).await,
        None
    );
    assert_eq!(app.stock("RD-5").await, Some((5, 0)));
    assert!(app.outbox().await.is_empty());
}
