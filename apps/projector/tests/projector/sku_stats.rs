use std::time::Duration;

use chrono::{TimeZone, Utc};
use events::DeadLetter;
use futures::TryStreamExt;
use mongodb::bson::{doc, Bson, Document};
use serde_json::json;

use crate::helpers::*;

fn stat(sku: &str, minute: u32, qty: i64, revenue: i64) -> Vec<u8> {
    stat_in("EUR", sku, minute, qty, revenue)
}

pub fn stat_in(currency: &str, sku: &str, minute: u32, qty: i64, revenue: i64) -> Vec<u8> {
    json!({
        "sku": sku,
        "currency": currency,
        "window_start": format!("2026-11-25T10:{minute:02}:00Z"),
        "window_end": format!("2026-11-25T10:{:02}:00Z", minute + 1),
        "qty_sum": qty,
        "revenue_sum": revenue,
    })
    .to_string()
    .into_bytes()
}

#[tokio::test]
async fn aggregates_are_upserted_by_sku_currency_and_window_and_invalid_ones_dead_lettered() {
    let setup = Setup::new().await;
    let running = Running::start(setup.config()).await;
    let key = "SKU-1|10:30";
    // An updating aggregate: the latest value per key wins; a replay changes nothing.
    setup
        .produce(&setup.stats_topic, key, &stat("SKU-1", 30, 1, 100))
        .await;
    setup
        .produce(
            &setup.stats_topic,
            key,
            &stat("SKU-1", 30, 7, 8_750_000_000),
        )
        .await;
    setup
        .produce(
            &setup.stats_topic,
            key,
            &stat("SKU-1", 30, 7, 8_750_000_000),
        )
        .await;
    setup
        .produce(
            &setup.stats_topic,
            "SKU-1|10:31",
            &stat("SKU-1", 31, 2, 200),
        )
        .await;
    setup
        .produce(
            &setup.stats_topic,
            "SKU-2|10:30",
            &stat("SKU-2", 30, 3, 300),
        )
        .await;
    // The same SKU and minute in another currency: a document of its own.
    setup
        .produce(
            &setup.stats_topic,
            "SKU-1|HUF|10:30",
            &stat_in("HUF", "SKU-1", 30, 4, 4_000),
        )
        .await;
    setup.produce(&setup.stats_topic, "bad", b"not json").await;
    setup
        .produce(&setup.stats_topic, "bad", &stat("", 30, 1, 1))
        .await;

    eventually(Duration::from_secs(30), "8 messages committed", || async {
        setup.committed(&setup.stats_topic) == 8
    })
    .await;
    running.stop().await;

    let db = setup.database().await;
    let collection = db.collection::<Document>(read_model::sku_stats::COLLECTION);
    assert_eq!(collection.count_documents(doc! {}).await.unwrap(), 4);
    let window_start = Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap();
    let docs: Vec<Document> = collection
        .find(doc! {"sku": "SKU-1", "currency": "EUR"})
        .sort(doc! {"window_start": 1})
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(docs.len(), 2);
    let latest = &docs[0];
    assert_eq!(
        latest
            .get_datetime("window_start")
            .unwrap()
            .timestamp_millis(),
        window_start.timestamp_millis()
    );
    assert_eq!(
        latest
            .get_datetime("window_end")
            .unwrap()
            .timestamp_millis(),
        window_start.timestamp_millis() + 60_000
    );
    assert_eq!(latest.get("qty_sum"), Some(&Bson::Int64(7)));
    assert_eq!(latest.get("revenue_sum"), Some(&Bson::Int64(8_750_000_000)));
    assert!(latest.get_datetime("updated_at").is_ok());
    let huf = collection
        .find_one(doc! {"sku": "SKU-1", "currency": "HUF"})
        .await
        .unwrap()
        .expect("the HUF window");
    assert_eq!(huf.get("revenue_sum"), Some(&Bson::Int64(4_000)));

    let index_names = collection.list_index_names().await.unwrap();
    assert!(
        index_names.contains(&"sku_currency_window_start_unique".to_owned()),
        "{index_names:?}"
    );

    let letters = consume_all(&setup.brokers, &setup.dlq_topic, 3, Duration::from_secs(10));
    let codes: Vec<String> = letters
        .iter()
        .map(|m| {
            serde_json::from_value::<DeadLetter>(m.payload.clone())
                .unwrap()
                .error_code
        })
        .collect();
    assert_eq!(codes, ["malformed_json", "invalid_sku_stat"]);
    assert!(letters
        .iter()
        .all(|m| m.headers.contains_key("error_reason")));
    setup.drop_database().await;
}
