//! The `order` channel end to end: what happens to an order (created, paid) reaches the
//! streams that follow it, from the stack's `orders.events`, relayed there by the real
//! outbox worker.

use axum::http::StatusCode;

use super::{order_body, unique_sku, OutboxRelay, PIPELINE_TIMEOUT};
use crate::helpers::TestApp;

#[tokio::test]
async fn paying_an_order_sends_an_order_event_to_its_followers() {
    let app = TestApp::spawn().await;
    let _relay = OutboxRelay::start(&app);
    let alice = app.user().await;
    let response = app
        .create_order(&alice, &order_body(&unique_sku(), 1, 990))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    let order_id = response.json()["id"].as_str().unwrap().to_owned();
    let mut stream = app.follow(&alice, &format!("order:{order_id}")).await;
    // Someone following another order hears nothing of this one.
    let bob = app.user().await;
    let bobs = app
        .create_order(&bob, &order_body(&unique_sku(), 1, 10))
        .await;
    let bobs = bobs.json()["id"].as_str().unwrap().to_owned();
    let mut bobs_stream = app.follow(&bob, &format!("order:{bobs}")).await;
    app.state.live.wait_ready().await;

    app.reserve(&order_id).await;
    let paid = app.set_order_status(&alice, &order_id, "paid").await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.text());

    let event = stream
        .next_where(PIPELINE_TIMEOUT, "OrderPaid of the order", |event| {
            event.event == "order" && event.json()["event_type"] == "OrderPaid"
        })
        .await;
    let hint = event.json();
    assert_eq!(hint["order_id"], order_id.as_str());
    assert!(hint["at"].as_str().unwrap().ends_with('Z'));
    assert!(event.id.is_some());

    // Bob's stream got only Bob's order's events (its OrderCreated, maybe its rejection).
    while let Some(event) = bobs_stream
        .next_event(std::time::Duration::from_secs(2))
        .await
    {
        assert_eq!(event.json()["order_id"], bobs.as_str(), "{event:?}");
    }
}
