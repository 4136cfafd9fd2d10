//! One worker relaying two outboxes (two databases, two topic pairs), as orderflow will
//! with the inventory service's own database.

use std::time::Duration;

use testkit::TestDb;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_worker_relays_two_outboxes_each_to_its_own_topic() {
    let brokers = brokers();
    let (orders_db, inventory_db) = (TestDb::migrated().await, TestDb::migrated().await);
    let (orders_topics, inventory_topics) = (
        Topics::create(&brokers).await,
        Topics::create(&brokers).await,
    );
    let orders = insert_events(
        &orders_db.pool,
        &(0..50).map(|_| Uuid::new_v4()).collect::<Vec<_>>(),
        3,
    )
    .await;
    let inventory = insert_events(
        &inventory_db.pool,
        &(0..40).map(|_| Uuid::new_v4()).collect::<Vec<_>>(),
        2,
    )
    .await;

    let extra = format!(
        "inventory|{}|{}|{}",
        inventory_db.url, inventory_topics.events, inventory_topics.dlq
    );
    let running = Running::start(config(
        &orders_db.url,
        &brokers,
        &orders_topics,
        &[("EXTRA_OUTBOXES", extra.as_str())],
    ));
    eventually(Duration::from_secs(60), "both outboxes drained", || async {
        pending_count(&orders_db.pool).await == 0 && pending_count(&inventory_db.pool).await == 0
    })
    .await;
    running.stop().await;

    let consumed = consume_all(
        &brokers,
        &orders_topics.events,
        orders.len() + 1,
        Duration::from_secs(20),
    );
    assert_exactly_once_in_order(&orders, &consumed);
    let consumed = consume_all(
        &brokers,
        &inventory_topics.events,
        inventory.len() + 1,
        Duration::from_secs(20),
    );
    assert_exactly_once_in_order(&inventory, &consumed);
}

#[tokio::test]
async fn an_unmigrated_outbox_database_is_waited_for_not_relayed() {
    let brokers = brokers();
    let orders_db = TestDb::migrated().await;
    let empty_db = TestDb::empty().await;
    let topics = Topics::create(&brokers).await;
    let envelopes = insert_events(&orders_db.pool, &[Uuid::new_v4()], 2).await;
    let extra = format!("other|{}|other.events|other.dlq", empty_db.url);
    // The other outbox's loop keeps checking its schema; the orders outbox is relayed.
    let running = Running::start(config(
        &orders_db.url,
        &brokers,
        &topics,
        &[("EXTRA_OUTBOXES", extra.as_str())],
    ));
    eventually(Duration::from_secs(30), "orders drained", || async {
        pending_count(&orders_db.pool).await == 0
    })
    .await;
    running.stop().await;
    let consumed = consume_all(&brokers, &topics.events, 3, Duration::from_secs(20));
    assert_exactly_once_in_order(&envelopes, &consumed);
}
