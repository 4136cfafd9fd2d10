//! The `stats` channel end to end: an order placed through the API is relayed by the real
//! outbox worker to the stack's `orders.events`, counted by the stack's stream job into
//! `orders.sku-stats`, and arrives on the stream as the changed window.

use axum::http::StatusCode;

use super::{order_body, unique_sku, OutboxRelay, PIPELINE_TIMEOUT};
use crate::helpers::TestApp;

#[tokio::test]
async fn a_new_order_changes_the_stats_of_its_sku_on_the_stream() {
    let app = TestApp::spawn().await;
    let _relay = OutboxRelay::start(&app);
    let user = app.user().await;
    let mut stream = app.follow(&user, "stats").await;
    app.state.live.wait_ready().await;

    let sku = unique_sku();
    let response = app.create_order(&user, &order_body(&sku, 3, 250)).await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());

    let event = stream
        .next_where(PIPELINE_TIMEOUT, "a stats event of the new SKU", |event| {
            event.event == "stats" && event.json()["sku"] == sku.as_str()
        })
        .await;
    let stat = event.json();
    assert_eq!(stat["currency"], "EUR");
    assert_eq!(stat["qty_sum"], 3);
    assert_eq!(stat["revenue_sum"], 750);
    for field in ["window_start", "window_end"] {
        assert!(stat[field].as_str().unwrap().ends_with('Z'), "{stat}");
    }
    assert!(event.id.is_some(), "stats events can be resumed after");
}
