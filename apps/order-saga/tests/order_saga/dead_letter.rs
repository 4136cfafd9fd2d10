//! Messages that are not valid inventory events go to `inventory.dlq` with the reason;
//! the consumer goes on with the next message.

use std::time::Duration;

use api::orders::Reservation;
use serde_json::json;

use crate::helpers::{consume_all, reserved, TestSaga};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_messages_are_dead_lettered_with_the_reason() {
    let saga = TestSaga::spawn().await;
    let order = saga.order(Reservation::Pending).await;
    let mut empty_items = reserved(order).to_json_value();
    empty_items["data"]["items"] = json!([]);
    let mut unknown_type = reserved(order).to_json_value();
    unknown_type["event_type"] = json!("StockVanished");
    let mut bad_version = reserved(order).to_json_value();
    bad_version["version"] = json!(2);
    let key = order.id.to_string();
    let bad: Vec<(Vec<u8>, &str)> = vec![
        (b"{oops".to_vec(), "malformed_json"),
        (Vec::new(), "malformed_json"),
        (empty_items.to_string().into_bytes(), "invalid_field"),
        (unknown_type.to_string().into_bytes(), "unknown_event_type"),
        (bad_version.to_string().into_bytes(), "unsupported_version"),
    ];
    for (payload, _) in &bad {
        saga.publish_raw(&key, payload).await;
    }
    saga.publish(&reserved(order)).await;
    saga.wait_for(order, "created", "reserved").await;

    let letters = consume_all(
        &saga.brokers,
        &saga.dlq_topic,
        bad.len(),
        Duration::from_secs(20),
    );
    assert_eq!(letters.len(), bad.len(), "{letters:?}");
    // One key, so one partition: the letters keep the order of the messages.
    for ((_, code), letter) in bad.iter().zip(&letters) {
        assert_eq!(letter.key, key);
        assert_eq!(letter.payload["error_code"], *code, "{letter:?}");
        assert_eq!(letter.headers["error_code"], *code);
        assert_eq!(letter.payload["source"], saga.events_topic.as_str());
        assert!(!letter.payload["error_reason"].as_str().unwrap().is_empty());
        assert_eq!(letter.headers["source_topic"], saga.events_topic);
    }
    assert_eq!(
        letters[1].payload["error_reason"],
        "malformed JSON: empty payload"
    );
    assert_eq!(letters[2].payload["original_payload"], empty_items);
    assert_eq!(
        saga.processed_events().await,
        1,
        "only the valid event was applied"
    );
}
