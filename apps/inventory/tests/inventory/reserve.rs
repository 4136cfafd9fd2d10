//! `OrderCreated` → all lines reserved (`StockReserved`) or none (`StockRejected`), under
//! any concurrency: never oversold, never negative, never deadlocked.

use std::sync::Arc;

use events::{EventPayload, ShortLine};
use inventory::saga::Outcome;

use crate::helpers::{created, stock_events, TestApp};

#[tokio::test]
async fn two_hundred_orders_racing_for_fifty_units_reserve_exactly_fifty() {
    let app = Arc::new(TestApp::spawn().await);
    app.given_stock("HOT-1", 50).await;

    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let app = Arc::clone(&app);
            tokio::spawn(async move { app.handle(&created(&[("HOT-1", 1)])).await })
        })
        .collect();
    let mut reserved = 0;
    let mut rejected = 0;
    for task in tasks {
        match task.await.unwrap() {
            Outcome::Reserved => reserved += 1,
            Outcome::Rejected => rejected += 1,
            other => panic!("unexpected outcome {other:?}"),
        }
    }
    assert_eq!((reserved, rejected), (50, 150));
    assert_eq!(app.stock("HOT-1").await, Some((50, 50)), "available 0");
    assert_eq!(app.outbox_of("StockReserved").await.len(), 50);
    let rejections = app.outbox_of("StockRejected").await;
    assert_eq!(rejections.len(), 150);
    assert!(rejections.iter().all(|event| {
        let line = &event["data"]["short_lines"][0];
        line["sku"] == "HOT-1" && line["requested"] == 1 && line["available"] == 0
    }));
}

#[tokio::test]
async fn an_order_whose_second_line_is_short_reserves_nothing() {
    let app = TestApp::spawn().await;
    app.given_stock("AAA-1", 10).await;
    app.given_stock("BBB-1", 1).await;

    let order = created(&[("AAA-1", 3), ("BBB-1", 2), ("NEW-1", 1)]);
    assert_eq!(app.handle(&order).await, Outcome::Rejected);

    assert_eq!(app.stock("AAA-1").await, Some((10, 0)));
    assert_eq!(app.stock("BBB-1").await, Some((1, 0)));
    assert_eq!(
        app.reservation_state(order.order_id().unwrap())
            .await
            .as_deref(),
        Some("rejected")
    );
    let events = stock_events(&app).await;
    let [event] = events.as_slice() else {
        panic!("one reply expected, got {events:?}");
    };
    let EventPayload::StockRejected(rejected) = &event.payload else {
        panic!("StockRejected expected, got {event:?}");
    };
    assert_eq!(rejected.order_id, order.order_id().unwrap());
    // Every short line, with what is available; an unknown SKU has 0.
    assert_eq!(
        rejected.short_lines,
        [
            ShortLine {
                sku: "BBB-1".into(),
                requested: 2,
                available: 1
            },
            ShortLine {
                sku: "NEW-1".into(),
                requested: 1,
                available: 0
            },
        ]
    );
    assert_eq!(
        event.trace_id, "test-trace",
        "the reply carries the order's trace id"
    );
    assert_eq!(
        app.outbox().await[0].0,
        order.order_id().unwrap().to_string(),
        "keyed by order"
    );
}

#[tokio::test]
async fn a_multi_line_order_reserves_every_line_summed_per_sku() {
    let app = TestApp::spawn().await;
    app.given_stock("AAA-2", 10).await;
    app.given_stock("BBB-2", 10).await;

    let order = created(&[("BBB-2", 2), ("AAA-2", 1), ("BBB-2", 3)]);
    assert_eq!(app.handle(&order).await, Outcome::Reserved);

    assert_eq!(app.stock("AAA-2").await, Some((10, 1)));
    assert_eq!(app.stock("BBB-2").await, Some((10, 5)));
    let events = stock_events(&app).await;
    let EventPayload::StockReserved(reserved) = &events[0].payload else {
        panic!("StockReserved expected, got {events:?}");
    };
    let lines: Vec<(&str, i64)> = reserved
        .items
        .iter()
        .map(|l| (l.sku.as_str(), l.qty))
        .collect();
    assert_eq!(
        lines,
        [("AAA-2", 1), ("BBB-2", 5)],
        "aggregated per SKU, sorted"
    );
}

#[tokio::test]
async fn orders_with_the_same_skus_in_opposite_order_never_deadlock() {
    let app = Arc::new(TestApp::spawn().await);
    let skus = ["DL-A", "DL-B", "DL-C"];
    for sku in skus {
        app.given_stock(sku, 1_000).await;
    }
    let tasks: Vec<_> = (0..120)
        .map(|i| {
            let app = Arc::clone(&app);
            tokio::spawn(async move {
                let lines: Vec<(&str, i32)> = if i % 2 == 0 {
                    vec![("DL-A", 1), ("DL-B", 1), ("DL-C", 1)]
                } else {
                    vec![("DL-C", 1), ("DL-B", 1), ("DL-A", 1)]
                };
                // A deadlock would surface as an error (40P01) and fail `handle`.
                app.handle(&created(&lines)).await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap(), Outcome::Reserved);
    }
    for sku in skus {
        assert_eq!(app.stock(sku).await, Some((1_000, 120)));
    }
}
