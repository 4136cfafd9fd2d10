//! PostgreSQL goes away under the saga consumer: the event is retried with backoff, never
//! skipped, and its offset is not committed until its transaction committed.

use std::time::Duration;

use inventory::saga::consumer::ConsumerSettings;
use inventory::saga::SagaConsumer;
use sqlx::postgres::PgPoolOptions;
use testkit::kafka::{brokers, create_topics};
use testkit::postgres::OwnPostgres;
use testkit::{eventually, unique_name};
use tokio::sync::watch;

use crate::consumer::{committed, produce};
use crate::helpers::created;

#[tokio::test]
async fn an_unreachable_database_delays_the_reservation_but_never_skips_it() {
    let postgres = OwnPostgres::start();
    let url = postgres.create_database("inventory");
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect(&url)
        .await
        .unwrap();
    inventory::MIGRATOR.run(&pool).await.unwrap();
    sqlx::query("INSERT INTO stock (sku, on_hand) VALUES ('OUT-1', 5)")
        .execute(&pool)
        .await
        .unwrap();

    let brokers = brokers();
    let topic = unique_name("orders.events");
    let dlq = unique_name("inventory.dlq");
    let group = unique_name("inventory");
    create_topics(&brokers, &[&topic, &dlq]).await;
    let settings = ConsumerSettings {
        kafka_brokers: brokers.clone(),
        topic: topic.clone(),
        dlq_topic: dlq,
        group: group.clone(),
        batch_max_messages: 10,
        batch_max_wait: Duration::from_millis(20),
    };
    let consumer = SagaConsumer::new(settings, pool.clone()).unwrap();
    let (stop, stopped) = watch::channel(false);
    let running = tokio::spawn(async move { consumer.run(stopped).await });

    postgres.stop();
    let order = created(&[("OUT-1", 2)]);
    produce(
        &brokers,
        &topic,
        &[(order.message_key(), order.to_json().into_bytes())],
    )
    .await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        committed(&brokers, &group, &topic),
        0,
        "nothing committed while PostgreSQL is down"
    );

    postgres.resume();
    eventually(
        Duration::from_secs(30),
        "the order reserved after the outage",
        || async {
            sqlx::query_scalar::<_, i64>("SELECT reserved FROM stock WHERE sku = 'OUT-1'")
                .fetch_one(&pool)
                .await
                .is_ok_and(|reserved| reserved == 2)
        },
    )
    .await;
    let replies: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE event_type = 'StockReserved'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(replies, 1);

    stop.send(true).unwrap();
    running.await.unwrap().unwrap();
    assert_eq!(committed(&brokers, &group, &topic), 1);
}
