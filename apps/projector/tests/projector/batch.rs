//! One batch holding a replayed event, an invalid message and several upserts of one key
//! ends exactly right.

use std::time::Duration;

use chrono::{TimeZone, Utc};
use events::DeadLetter;
use mongodb::bson::{doc, Bson, Document};

use crate::helpers::*;
use crate::sku_stats::stat_in;

#[tokio::test]
async fn a_batch_with_a_duplicate_an_invalid_message_and_repeated_keys_ends_exactly_right() {
    let setup = Setup::new().await;
    let first = order_created();
    let second = order_created();
    // Everything is on the topics before the projector starts and a batch may wait 3 s, so
    // the first poll normally takes all of it into one batch (the result must be the same
    // however the messages are split).
    for envelope in [&first, &second, &first] {
        setup
            .produce(&setup.events_topic, "k", envelope.to_json().as_bytes())
            .await;
    }
    setup
        .produce(&setup.events_topic, "k", b"{\"not\": \"an envelope\"}")
        .await;
    let key = "SKU-1|EUR|10:30";
    for (qty, revenue) in [(1, 100), (2, 250), (3, 400), (5, 900)] {
        setup
            .produce(
                &setup.stats_topic,
                key,
                &stat_in("EUR", "SKU-1", 30, qty, revenue),
            )
            .await;
    }
    setup
        .produce(
            &setup.stats_topic,
            "SKU-1|USD|10:30",
            &stat_in("USD", "SKU-1", 30, 1, 10),
        )
        .await;

    let mut config = setup.config();
    config.batch_max_wait = Duration::from_secs(3);
    let running = Running::start(config).await;
    eventually(Duration::from_secs(30), "all offsets committed", || async {
        setup.committed(&setup.events_topic) == 4 && setup.committed(&setup.stats_topic) == 5
    })
    .await;
    running.stop().await;

    let db = setup.database().await;
    let events = db.collection::<Document>(read_model::order_events::COLLECTION);
    assert_eq!(events.count_documents(doc! {}).await.unwrap(), 2);
    for envelope in [&first, &second] {
        let count = events
            .count_documents(doc! {"event_id": envelope.event_id.to_string()})
            .await
            .unwrap();
        assert_eq!(count, 1, "one document per event");
    }

    let stats = db.collection::<Document>(read_model::sku_stats::COLLECTION);
    assert_eq!(stats.count_documents(doc! {}).await.unwrap(), 2);
    let window_start = Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap();
    let eur = stats
        .find_one(doc! {
            "sku": "SKU-1",
            "currency": "EUR",
            "window_start": read_model::bson_date(window_start),
        })
        .await
        .unwrap()
        .expect("the EUR window");
    assert_eq!(eur.get("qty_sum"), Some(&Bson::Int64(5)), "the last value");
    assert_eq!(eur.get("revenue_sum"), Some(&Bson::Int64(900)));

    let letters = consume_all(&setup.brokers, &setup.dlq_topic, 2, Duration::from_secs(10));
    assert_eq!(letters.len(), 1, "one dead letter");
    let letter: DeadLetter = serde_json::from_value(letters[0].payload.clone()).unwrap();
    assert_eq!(letter.error_code, "invalid_field");
    assert!(!letter.error_reason.is_empty());
    assert_eq!(letter.source, setup.events_topic);
    setup.drop_database().await;
}

/// A `sku_stats` from before revenue was kept per currency: the old unique index on
/// `(sku, window_start)` would reject a second currency, and its documents mix currencies.
#[tokio::test]
async fn a_legacy_sku_stats_is_migrated_at_start() {
    let setup = Setup::new().await;
    let db = setup.database().await;
    let stats = db.collection::<Document>(read_model::sku_stats::COLLECTION);
    stats
        .create_index(
            mongodb::IndexModel::builder()
                .keys(doc! {"sku": 1, "window_start": 1})
                .options(
                    mongodb::options::IndexOptions::builder()
                        .name("sku_window_start_unique".to_owned())
                        .unique(true)
                        .build(),
                )
                .build(),
        )
        .await
        .unwrap();
    let window_start =
        read_model::bson_date(Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap());
    stats
        .insert_one(doc! {"sku": "SKU-1", "window_start": window_start, "qty_sum": 9_i64, "revenue_sum": 9_i64})
        .await
        .unwrap();

    let running = Running::start(setup.config()).await;
    for currency in ["EUR", "HUF"] {
        setup
            .produce(
                &setup.stats_topic,
                currency,
                &stat_in(currency, "SKU-1", 30, 1, 100),
            )
            .await;
    }
    eventually(Duration::from_secs(30), "both committed", || async {
        setup.committed(&setup.stats_topic) == 2
    })
    .await;
    running.stop().await;

    let names = stats.list_index_names().await.unwrap();
    assert!(
        !names.contains(&"sku_window_start_unique".to_owned()),
        "{names:?}"
    );
    assert_eq!(
        stats
            .count_documents(doc! {"currency": {"$exists": false}})
            .await
            .unwrap(),
        0,
        "documents without currency are gone"
    );
    assert_eq!(stats.count_documents(doc! {}).await.unwrap(), 2);
    setup.drop_database().await;
}
