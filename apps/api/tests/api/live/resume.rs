//! Resuming with `Last-Event-ID`: a dropped connection loses nothing that is still in the
//! hub's ring buffer; an id that cannot be resumed gets a `reset`. The hub reads topics of
//! the test's own here, so the test knows every event there is.

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use events::{Envelope, EventPayload, OrderStatusChanged, StockLine, StockReservation};
use uuid::Uuid;

use super::{own_topics, produce};
use crate::helpers::{LiveStream, SseEvent, TestApp};

const WAIT: Duration = Duration::from_secs(20);

fn paid(order_id: Uuid, user_id: Uuid) -> Envelope {
    Envelope::new(
        Uuid::now_v7(),
        Utc::now().trunc_subsecs(3),
        "api",
        "live-test",
        EventPayload::OrderPaid(OrderStatusChanged {
            order_id,
            user_id,
            total_amount: 100,
            currency: "EUR".to_owned(),
            reason: None,
        }),
    )
}

fn reserved(order_id: Uuid) -> Envelope {
    Envelope::new(
        Uuid::now_v7(),
        Utc::now().trunc_subsecs(3),
        "inventory",
        "live-test",
        EventPayload::StockReserved(StockReservation {
            order_id,
            items: vec![StockLine {
                sku: "SKU-1".to_owned(),
                qty: 1,
            }],
        }),
    )
}

async fn next(stream: &mut LiveStream) -> SseEvent {
    stream.next_where(WAIT, "an event", |_| true).await
}

#[tokio::test]
async fn a_dropped_stream_resumes_with_last_event_id_without_losing_an_event() {
    let app = TestApp::spawn().await;
    let brokers = app.state.config.kafka_brokers.clone();
    let topics = own_topics(&brokers).await;
    let app = app.with_live_topics(topics.clone());
    let admin = app.admin().await;
    let order = Uuid::now_v7();
    let other = Uuid::now_v7();

    let mut stream = app.follow(&admin, &format!("order:{order}")).await;
    // A second client stays connected throughout: it shows when the hub has an event.
    let mut witness = app.follow(&admin, &format!("order:{order}")).await;
    app.state.live.wait_ready().await;
    produce(&brokers, &topics.order_events, &paid(order, admin.id)).await;
    produce(&brokers, &topics.inventory_events, &reserved(order)).await;
    let first = next(&mut stream).await;
    let second = next(&mut stream).await;
    next(&mut witness).await;
    next(&mut witness).await;
    assert_eq!(
        (first.event.as_str(), second.event.as_str()),
        ("order", "order")
    );
    // Both topics arrive (in either order: they are two topics).
    let mut types = [
        first.json()["event_type"].clone(),
        second.json()["event_type"].clone(),
    ];
    types.sort_by_key(|t| t.to_string());
    assert_eq!(types, ["OrderPaid", "StockReserved"]);
    assert_eq!(first.json()["order_id"], order.to_string());
    drop(stream);

    // While disconnected: two events of the order, one of another order.
    let missed = [
        paid(order, admin.id),
        paid(other, admin.id),
        reserved(order),
    ];
    for envelope in &missed {
        produce(&brokers, &topics.order_events, envelope).await;
    }
    // Once the witness saw both, they are in the hub's ring: the resume replays them.
    next(&mut witness).await;
    next(&mut witness).await;
    let last_id = second.id.clone().expect("events have ids");
    let mut resumed = app
        .follow_from(&admin, &format!("order:{order}"), Some(&last_id))
        .await;
    let replayed = [next(&mut resumed).await, next(&mut resumed).await];
    let types: Vec<_> = replayed
        .iter()
        .map(|e| e.json()["event_type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        ["OrderPaid", "StockReserved"],
        "the missed events, in order"
    );
    assert!(replayed
        .iter()
        .all(|e| e.json()["order_id"] == order.to_string()));
    let seq = |event: &SseEvent| -> u64 {
        event
            .id
            .as_deref()
            .unwrap()
            .split_once('-')
            .unwrap()
            .1
            .parse()
            .unwrap()
    };
    assert!(seq(&replayed[0]) > seq(&second) && seq(&replayed[1]) > seq(&replayed[0]));

    // And the stream goes on live after the replay.
    produce(&brokers, &topics.order_events, &paid(order, admin.id)).await;
    let live = next(&mut resumed).await;
    assert!(seq(&live) > seq(&replayed[1]));
}

#[tokio::test]
async fn the_resume_id_may_come_as_a_query_parameter() {
    let app = TestApp::spawn().await;
    let brokers = app.state.config.kafka_brokers.clone();
    let topics = own_topics(&brokers).await;
    let app = app.with_live_topics(topics.clone());
    let admin = app.admin().await;
    let order = Uuid::now_v7();
    let mut stream = app.follow(&admin, &format!("order:{order}")).await;
    let mut witness = app.follow(&admin, &format!("order:{order}")).await;
    app.state.live.wait_ready().await;
    produce(&brokers, &topics.order_events, &paid(order, admin.id)).await;
    let seen = next(&mut stream).await;
    drop(stream);
    produce(&brokers, &topics.order_events, &reserved(order)).await;
    next(&mut witness).await;
    next(&mut witness).await;

    let ticket = app.ticket_of(&admin).await;
    let query = format!(
        "ticket={ticket}&channels=order:{order}&last_event_id={}",
        seen.id.unwrap()
    );
    let Ok(mut resumed) = app.open_stream(&query, None).await else {
        panic!("the stream did not open");
    };
    let missed = next(&mut resumed).await;
    assert_eq!(missed.json()["event_type"], "StockReserved");
}

#[tokio::test]
async fn an_unknown_or_foreign_id_gets_a_reset_naming_where_to_resume() {
    let app = TestApp::spawn().await;
    let brokers = app.state.config.kafka_brokers.clone();
    let topics = own_topics(&brokers).await;
    let app = app.with_live_topics(topics.clone());
    let user = app.user().await;
    let epoch = format!("{:08x}", app.state.live.epoch());
    let other_epoch = format!("{:08x}", app.state.live.epoch().wrapping_add(1));
    for last_event_id in [
        "garbage".to_owned(),
        format!("{other_epoch}-1"),
        format!("{epoch}-999999"),
    ] {
        let mut stream = app.follow_from(&user, "stats", Some(&last_event_id)).await;
        let reset = next(&mut stream).await;
        assert_eq!(reset.event, "reset", "{last_event_id}");
        assert_eq!(reset.json(), serde_json::json!({}));
        assert!(
            reset.id.as_deref().unwrap().starts_with(&epoch),
            "a reset names where to resume: {reset:?}"
        );
    }
}
