//! A broker outage, with a broker of the test's own (the shared one must stay up).

use std::time::Duration;

use testkit::broker::Broker;
use testkit::TestDb;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test]
async fn broker_down_records_attempts_and_publishes_everything_once_it_is_back() {
    let db = TestDb::migrated().await;
    let mut broker = Broker::start();
    let address = broker.address();
    let topics = Topics::create(&address).await;
    broker.kill();

    let orders: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let envelopes = insert_events(&db.pool, &orders, 3).await;
    let running = Running::start(config(
        &db.url,
        &address,
        &topics,
        &[
            ("OUTBOX_MAX_ATTEMPTS", "1000"),
            ("OUTBOX_BACKOFF_UNIT_MS", "50"),
            ("OUTBOX_BACKOFF_MAX_MS", "500"),
            ("KAFKA_MESSAGE_TIMEOUT_MS", "1000"),
        ],
    ));
    eventually(Duration::from_secs(60), "every first event failed twice", || async {
        let min_attempts: Option<i32> = sqlx::query_scalar(
            "SELECT min(publish_attempts) FROM outbox_events WHERE payload_json->>'trace_id' = 'seq-0'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        min_attempts >= Some(2)
    })
    .await;

    let rows: Vec<(String, i32, Option<String>, bool, bool, bool)> = sqlx::query_as(
        "SELECT payload_json->>'trace_id', publish_attempts, last_error,
                published_at IS NOT NULL, next_attempt_at IS NOT NULL, dead_at IS NOT NULL
         FROM outbox_events",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for (seq, attempts, last_error, published, backoff_set, dead) in rows {
        assert!(
            !published && !dead,
            "nothing is marked published or dead while down"
        );
        if seq == "seq-0" {
            assert!(attempts >= 2 && backoff_set, "{seq}: {attempts}");
            assert!(last_error.is_some_and(|e| !e.is_empty()));
        } else {
            // Later events of an order wait behind its first one: never attempted.
            assert_eq!(
                (attempts, last_error, backoff_set),
                (0, None, false),
                "{seq}"
            );
        }
    }

    broker.restart();
    eventually(Duration::from_secs(90), "everything published", || async {
        pending_count(&db.pool).await == 0
    })
    .await;
    running.stop().await;
    let consumed = consume_all(
        &address,
        &topics.events,
        envelopes.len() + 1,
        Duration::from_secs(20),
    );
    assert_exactly_once_in_order(&envelopes, &consumed);
}
