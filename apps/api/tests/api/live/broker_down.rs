//! The api serves without the broker: streams still open and stay alive, and the hub
//! connects once the broker is back. Uses a broker of the test's own.

use std::time::Duration;

use chrono::{SubsecRound, Utc};
use events::{Envelope, EventPayload, OrderStatusChanged};
use testkit::broker::Broker;
use uuid::Uuid;

use super::{own_topics, produce};
use crate::helpers::TestApp;

#[tokio::test]
async fn streams_open_while_the_broker_is_down_and_events_flow_once_it_is_back() {
    let mut broker = Broker::start();
    let brokers = broker.address();
    let topics = own_topics(&brokers).await;
    broker.stop();
    let address = brokers.clone();
    let app = TestApp::spawn_with(move |vars| {
        vars.retain(|(name, _)| name != "KAFKA_BROKERS");
        vars.push(("KAFKA_BROKERS".to_owned(), address));
    })
    .await
    .with_live_topics(topics.clone());
    let admin = app.admin().await;
    let order = Uuid::now_v7();

    let mut stream = app.follow(&admin, &format!("order:{order}")).await;
    assert!(!app.state.live.is_ready(), "no broker, no assignment");
    assert!(
        stream.keep_alive_within(Duration::from_secs(20)).await,
        "the stream stays alive with keep-alive comments"
    );

    broker.restart();
    tokio::time::timeout(Duration::from_secs(60), app.state.live.wait_ready())
        .await
        .expect("the hub assigns its topics once the broker is back");
    let envelope = Envelope::new(
        Uuid::now_v7(),
        Utc::now().trunc_subsecs(3),
        "api",
        "live-test",
        EventPayload::OrderPaid(OrderStatusChanged {
            order_id: order,
            user_id: admin.id,
            total_amount: 1,
            currency: "EUR".to_owned(),
            reason: None,
        }),
    );
    produce(&brokers, &topics.order_events, &envelope).await;
    let event = stream
        .next_where(Duration::from_secs(30), "the order's event", |e| {
            e.event == "order"
        })
        .await;
    assert_eq!(event.json()["event_type"], "OrderPaid");
}
