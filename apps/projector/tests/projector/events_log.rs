use std::time::Duration;

use events::DeadLetter;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn valid_events_land_in_order_events_once_and_offsets_are_committed_after() {
    let metrics = platform::telemetry::prometheus();
    let setup = Setup::new().await;
    let running = Running::start(setup.config()).await;
    let first = order_created();
    let second = order_created();
    let key = |e: &events::Envelope| e.message_key();
    setup
        .produce(
            &setup.events_topic,
            &key(&first),
            first.to_json().as_bytes(),
        )
        .await;
    setup
        .produce(
            &setup.events_topic,
            &key(&second),
            second.to_json().as_bytes(),
        )
        .await;
    // A replay (the outbox worker publishes at least once): not duplicated.
    setup
        .produce(
            &setup.events_topic,
            &key(&first),
            first.to_json().as_bytes(),
        )
        .await;

    let db = setup.database().await;
    let collection = db.collection::<Document>(read_model::order_events::COLLECTION);
    eventually(Duration::from_secs(30), "3 messages committed", || async {
        setup.committed(&setup.events_topic) == 3
    })
    .await;
    // librdkafka reports statistics every 5 s; the lag of this test's topic shows up.
    let lag_metric = format!("projector_consumer_lag{{topic=\"{}\"", setup.events_topic);
    eventually(Duration::from_secs(20), "consumer lag reported", || async {
        metrics.render().contains(&lag_metric)
    })
    .await;
    running.stop().await;
    assert_eq!(collection.count_documents(doc! {}).await.unwrap(), 2);

    let stored = collection
        .find_one(doc! {"event_id": first.event_id.to_string()})
        .await
        .unwrap()
        .expect("first event stored");
    assert_eq!(stored.get_str("order_id").unwrap(), first.message_key());
    assert_eq!(stored.get_str("event_type").unwrap(), "OrderCreated");
    assert_eq!(
        stored
            .get_datetime("occurred_at")
            .unwrap()
            .timestamp_millis(),
        first.occurred_at.timestamp_millis()
    );
    let data = stored.get_document("data").unwrap();
    assert_eq!(data.get("total_amount"), Some(&Bson::Int64(5_000_000_000)));
    assert_eq!(data.get_array("items").unwrap().len(), 1);

    let index_names = collection.list_index_names().await.unwrap();
    for name in ["event_id_unique", "order_id", "occurred_at"] {
        assert!(index_names.contains(&name.to_owned()), "{index_names:?}");
    }
    setup.drop_database().await;
}

#[tokio::test]
async fn invalid_events_go_to_the_dlq_with_a_reason_and_valid_ones_still_flow() {
    let metrics = platform::telemetry::prometheus();
    let setup = Setup::new().await;
    let running = Running::start(setup.config()).await;
    let valid = order_created();
    let mut unknown_type = order_created().to_json_value();
    unknown_type["event_type"] = json!("OrderShipped");
    let mut unsupported_version = order_created().to_json_value();
    unsupported_version["version"] = json!(2);
    let mut missing_field = order_created().to_json_value();
    missing_field["data"]
        .as_object_mut()
        .unwrap()
        .remove("order_id");

    let bad: Vec<(Vec<u8>, &str)> = vec![
        (b"{this is not json".to_vec(), "malformed_json"),
        (unknown_type.to_string().into_bytes(), "unknown_event_type"),
        (
            unsupported_version.to_string().into_bytes(),
            "unsupported_version",
        ),
        (missing_field.to_string().into_bytes(), "invalid_field"),
    ];
    // One key: one partition, so the DLQ keeps this order.
    for (payload, _) in &bad {
        setup.produce(&setup.events_topic, "k", payload).await;
    }
    setup
        .produce(&setup.events_topic, "k", valid.to_json().as_bytes())
        .await;

    eventually(Duration::from_secs(30), "5 messages committed", || async {
        setup.committed(&setup.events_topic) == 5
    })
    .await;
    running.stop().await;

    let letters = consume_all(
        &setup.brokers,
        &setup.dlq_topic,
        bad.len() + 1,
        Duration::from_secs(10),
    );
    assert_eq!(letters.len(), bad.len(), "one dead letter per bad message");
    for (message, (payload, code)) in letters.iter().zip(&bad) {
        let letter: DeadLetter = serde_json::from_value(message.payload.clone()).unwrap();
        assert_eq!(letter.error_code, *code);
        assert!(!letter.error_reason.is_empty());
        assert_eq!(letter.source, setup.events_topic);
        let original = serde_json::from_slice(payload)
            .unwrap_or_else(|_| json!(String::from_utf8_lossy(payload)));
        assert_eq!(letter.original_payload, original, "original payload kept");
        assert_eq!(
            message.headers.get("error_reason"),
            Some(&letter.error_reason)
        );
        assert_eq!(
            message.headers.get("error_code").map(String::as_str),
            Some(*code)
        );
        assert_eq!(message.key, "k");
    }

    let db = setup.database().await;
    let stored: Vec<Document> = db
        .collection::<Document>(read_model::order_events::COLLECTION)
        .find(doc! {})
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(stored.len(), 1, "only the valid event is in the audit log");
    assert_eq!(
        stored[0].get_str("event_id").unwrap(),
        valid.event_id.to_string()
    );

    let rendered = metrics.render();
    for name in [
        "projector_consumed_total",
        "projector_written_total{collection=\"order_events\"}",
        "projector_dead_lettered_total{reason=\"unknown_event_type\"}",
    ] {
        assert!(rendered.contains(name), "{name} missing from:\n{rendered}");
    }
    setup.drop_database().await;
}

#[test]
fn the_binary_refuses_to_start_without_configuration_and_names_the_variable() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_projector"))
        .env_clear()
        .env("KAFKA_BROKERS", "127.0.0.1:9092")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("MONGODB_URL"));
}
