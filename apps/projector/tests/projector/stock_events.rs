//! The inventory's audit log: every `Stock*` event from `inventory.events` once in
//! `stock_events`; what is not a valid inventory event goes to `inventory.dlq`.

use std::time::Duration;

use chrono::Utc;
use events::{
    AdjustReason, DeadLetter, Envelope, EventPayload, ShortLine, StockAdjusted, StockLine,
    StockRejected, StockReservation,
};
use futures::TryStreamExt;
use mongodb::bson::{doc, Document};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::*;

fn inventory_event(payload: EventPayload) -> Envelope {
    Envelope::new(Uuid::new_v4(), Utc::now(), "inventory", "req-1", payload)
}

fn reservation(order_id: Uuid, skus: &[&str]) -> StockReservation {
    StockReservation {
        order_id,
        items: skus
            .iter()
            .map(|sku| StockLine {
                sku: (*sku).into(),
                qty: 2,
            })
            .collect(),
    }
}

fn restocked(sku: &str) -> Envelope {
    inventory_event(EventPayload::StockAdjusted(StockAdjusted {
        sku: sku.into(),
        reason: AdjustReason::Restock,
        previous_on_hand: 3,
        on_hand: 50,
        reserved: 1,
        actor_id: Uuid::new_v4(),
    }))
}

impl Setup {
    async fn produce_inventory(&self, event: &Envelope) {
        self.produce(
            &self.inventory_events_topic,
            &event.message_key(),
            event.to_json().as_bytes(),
        )
        .await;
    }
}

#[tokio::test]
async fn every_stock_event_lands_in_stock_events_once_with_its_key_and_skus() {
    let setup = Setup::new().await;
    let running = Running::start(setup.config()).await;
    let order_id = Uuid::new_v4();
    let saga = [
        inventory_event(EventPayload::StockReserved(reservation(
            order_id,
            &["SKU-A", "SKU-B"],
        ))),
        inventory_event(EventPayload::StockCommitted(reservation(
            order_id,
            &["SKU-A", "SKU-B"],
        ))),
        inventory_event(EventPayload::StockReleased(reservation(
            Uuid::new_v4(),
            &["SKU-A"],
        ))),
        inventory_event(EventPayload::StockRejected(StockRejected {
            order_id: Uuid::new_v4(),
            short_lines: vec![ShortLine {
                sku: "SKU-C".into(),
                requested: 4,
                available: 1,
            }],
        })),
    ];
    let adjusted = restocked("SKU-A");
    for event in saga.iter().chain([&adjusted]) {
        setup.produce_inventory(event).await;
    }
    // The outbox worker publishes at least once: a replay is not duplicated.
    setup.produce_inventory(&saga[0]).await;

    eventually(Duration::from_secs(30), "6 messages committed", || async {
        setup.committed(&setup.inventory_events_topic) == 6
    })
    .await;
    running.stop().await;

    let db = setup.database().await;
    let collection = db.collection::<Document>(read_model::stock_events::COLLECTION);
    assert_eq!(collection.count_documents(doc! {}).await.unwrap(), 5);
    assert_eq!(
        db.collection::<Document>(read_model::order_events::COLLECTION)
            .count_documents(doc! {})
            .await
            .unwrap(),
        0,
        "inventory events stay out of the orders' audit log"
    );

    let order_history: Vec<String> = collection
        .find(doc! {"key": order_id.to_string()})
        .sort(doc! {"occurred_at": 1})
        .await
        .unwrap()
        .try_collect::<Vec<Document>>()
        .await
        .unwrap()
        .iter()
        .map(|stored| stored.get_str("event_type").unwrap().to_owned())
        .collect();
    assert_eq!(order_history, ["StockReserved", "StockCommitted"]);

    let touching_a = collection
        .count_documents(doc! {"skus": "SKU-A"})
        .await
        .unwrap();
    assert_eq!(touching_a, 4, "reserved, committed, released and restocked");

    let stored = collection
        .find_one(doc! {"event_id": adjusted.event_id.to_string()})
        .await
        .unwrap()
        .expect("the adjustment is stored");
    assert_eq!(stored.get_str("key").unwrap(), "SKU-A");
    assert_eq!(stored.get_str("event_type").unwrap(), "StockAdjusted");
    assert_eq!(
        stored
            .get_datetime("occurred_at")
            .unwrap()
            .timestamp_millis(),
        adjusted.occurred_at.timestamp_millis()
    );
    let data = stored.get_document("data").unwrap();
    assert_eq!(data.get_str("reason").unwrap(), "restock");
    assert_eq!(data.get_i64("on_hand").unwrap(), 50);

    let rejected = collection
        .find_one(doc! {"event_id": saga[3].event_id.to_string()})
        .await
        .unwrap()
        .expect("the rejection is stored");
    let short = rejected
        .get_document("data")
        .unwrap()
        .get_array("short_lines");
    assert_eq!(short.unwrap().len(), 1);

    let index_names = collection.list_index_names().await.unwrap();
    for name in ["event_id_unique", "key", "skus", "occurred_at"] {
        assert!(index_names.contains(&name.to_owned()), "{index_names:?}");
    }
    setup.drop_database().await;
}

#[tokio::test]
async fn invalid_inventory_messages_go_to_the_inventory_dlq_and_the_rest_still_flows() {
    let setup = Setup::new().await;
    let running = Running::start(setup.config()).await;
    let valid = restocked("SKU-K");
    let mut negative = restocked("SKU-K").to_json_value();
    negative["data"]["on_hand"] = json!(-1);
    let mut unknown_type = restocked("SKU-K").to_json_value();
    unknown_type["event_type"] = json!("StockVanished");
    // A valid event, but an order's: not the inventory's to publish.
    let order_event = order_created();

    let bad: Vec<(Vec<u8>, &str)> = vec![
        (b"{this is not json".to_vec(), "malformed_json"),
        (negative.to_string().into_bytes(), "invalid_field"),
        (unknown_type.to_string().into_bytes(), "unknown_event_type"),
        (order_event.to_json().into_bytes(), "unexpected_event_type"),
    ];
    // One key: one partition, so the DLQ keeps this order.
    for (payload, _) in &bad {
        setup
            .produce(&setup.inventory_events_topic, "SKU-K", payload)
            .await;
    }
    setup.produce_inventory(&valid).await;

    eventually(Duration::from_secs(30), "5 messages committed", || async {
        setup.committed(&setup.inventory_events_topic) == 5
    })
    .await;
    running.stop().await;

    let letters = consume_all(
        &setup.brokers,
        &setup.inventory_dlq_topic,
        bad.len() + 1,
        Duration::from_secs(10),
    );
    assert_eq!(letters.len(), bad.len(), "one dead letter per bad message");
    for (message, (_, code)) in letters.iter().zip(&bad) {
        let letter: DeadLetter = serde_json::from_value(message.payload.clone()).unwrap();
        assert_eq!(letter.error_code, *code);
        assert!(!letter.error_reason.is_empty());
        assert_eq!(letter.source, setup.inventory_events_topic);
        assert_eq!(message.key, "SKU-K");
    }
    let orders_dlq = consume_all(&setup.brokers, &setup.dlq_topic, 1, Duration::from_secs(3));
    assert!(orders_dlq.is_empty(), "nothing in the orders' DLQ");

    let db = setup.database().await;
    let stored: Vec<Document> = db
        .collection::<Document>(read_model::stock_events::COLLECTION)
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
    setup.drop_database().await;
}
