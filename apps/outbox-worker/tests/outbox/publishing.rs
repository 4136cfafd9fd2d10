use std::time::Duration;

use events::DeadLetter;
use testkit::TestDb;
use uuid::Uuid;

use crate::helpers::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_drain_5000_rows_each_published_once_in_order_per_order() {
    let db = TestDb::migrated().await;
    let brokers = brokers();
    let topics = Topics::create(&brokers).await;
    let orders: Vec<Uuid> = (0..1_000).map(|_| Uuid::new_v4()).collect();
    let envelopes = insert_events(&db.pool, &orders, 5).await;
    assert_eq!(envelopes.len(), 5_000);

    let first = Running::start(config(&db.url, &brokers, &topics, &[]));
    let second = Running::start(config(&db.url, &brokers, &topics, &[]));
    eventually(Duration::from_secs(180), "all rows published", || async {
        pending_count(&db.pool).await == 0
    })
    .await;
    first.stop().await;
    second.stop().await;

    let (published, attempts): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE published_at IS NOT NULL), coalesce(sum(publish_attempts), 0)
         FROM outbox_events",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((published, attempts), (5_000, 0));

    let consumed = consume_all(&brokers, &topics.events, 5_001, Duration::from_secs(20));
    assert_exactly_once_in_order(&envelopes, &consumed);
    assert!(consumed
        .iter()
        .all(|m| m.headers.get("event_id")
            == m.payload["event_id"].as_str().map(str::to_owned).as_ref()));
}

#[tokio::test]
async fn an_idle_worker_picks_up_a_new_row_by_polling_and_reports_metrics() {
    let metrics = platform::telemetry::prometheus();
    let db = TestDb::migrated().await;
    let brokers = brokers();
    let topics = Topics::create(&brokers).await;
    // No NOTIFY any more (issue 10): the idle worker's adaptive poll finds the row.
    let running = Running::start(config(
        &db.url,
        &brokers,
        &topics,
        &[
            ("OUTBOX_POLL_MIN_MS", "5"),
            ("OUTBOX_POLL_INTERVAL_MS", "50"),
        ],
    ));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let envelopes = insert_events(&db.pool, &[Uuid::new_v4()], 1).await;
    eventually(Duration::from_secs(30), "row published", || async {
        pending_count(&db.pool).await == 0
    })
    .await;
    running.stop().await;
    let consumed = consume_all(&brokers, &topics.events, 1, Duration::from_secs(20));
    assert_exactly_once_in_order(&envelopes, &consumed);

    let rendered = metrics.render();
    for name in [
        "outbox_published_total{outbox=\"orders\"}",
        "outbox_lag_seconds{outbox=\"orders\"}",
        "outbox_batch_duration_seconds_bucket",
        "outbox_claim_duration_seconds_bucket",
        "outbox_in_flight_batches",
    ] {
        assert!(rendered.contains(name), "{name} missing from:\n{rendered}");
    }
}

#[tokio::test]
async fn a_row_failing_max_attempts_times_is_dead_and_its_envelope_on_the_dlq() {
    let db = TestDb::migrated().await;
    let brokers = brokers();
    let topics = Topics::create(&brokers).await;
    let order_id = Uuid::new_v4();
    let envelopes = insert_events(&db.pool, &[order_id], 2).await;

    // Nothing listens on port 1: every publish fails for real (delivery timeout); the
    // dead letters go to the working broker. The default of 10 attempts applies (docs/spec.md#outbox);
    // a small backoff and a fast poll make them take seconds.
    let running = Running::start(config(
        &db.url,
        "127.0.0.1:1",
        &topics,
        &[
            ("DLQ_KAFKA_BROKERS", brokers.as_str()),
            ("OUTBOX_BACKOFF_UNIT_MS", "10"),
            ("OUTBOX_BACKOFF_MAX_MS", "50"),
            ("OUTBOX_POLL_INTERVAL_MS", "50"),
            ("KAFKA_MESSAGE_TIMEOUT_MS", "300"),
        ],
    ));
    eventually(Duration::from_secs(60), "both rows dead", || async {
        let dead: i64 =
            sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE dead_at IS NOT NULL")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        dead == 2
    })
    .await;
    running.stop().await;

    let rows: Vec<(Uuid, i32, Option<String>, bool, bool)> = sqlx::query_as(
        "SELECT id, publish_attempts, last_error, published_at IS NULL, next_attempt_at IS NULL
         FROM outbox_events ORDER BY created_at",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for (id, attempts, last_error, unpublished, no_retry) in rows {
        assert_eq!(attempts, 10, "{id}");
        assert!(last_error.is_some_and(|e| !e.is_empty()), "{id}");
        assert!(unpublished && no_retry, "{id}");
    }

    let consumed = consume_all(&brokers, &topics.dlq, 2, Duration::from_secs(20));
    assert_eq!(consumed.len(), 2);
    for (message, envelope) in consumed.iter().zip(&envelopes) {
        let letter: DeadLetter = serde_json::from_value(message.payload.clone()).unwrap();
        assert_eq!(
            letter.original_payload,
            envelope.to_json_value(),
            "in order, intact"
        );
        assert_eq!(letter.error_code, "publish_attempts_exhausted");
        assert_eq!(letter.source, topics.events);
        assert!(
            letter.error_reason.contains("10 times"),
            "{}",
            letter.error_reason
        );
        assert_eq!(message.key, order_id.to_string());
        assert_eq!(
            message.headers.get("error_reason"),
            Some(&letter.error_reason)
        );
    }
    assert!(consume_all(&brokers, &topics.events, 1, Duration::from_secs(2)).is_empty());
}

#[tokio::test]
async fn when_the_dead_letter_publish_fails_too_the_row_stays_retryable() {
    let db = TestDb::migrated().await;
    let brokers = brokers();
    let topics = Topics::create(&brokers).await;
    let envelopes = insert_events(&db.pool, &[Uuid::new_v4()], 1).await;

    let broken = Running::start(config(
        &db.url,
        "127.0.0.1:1",
        &topics,
        &[
            ("OUTBOX_MAX_ATTEMPTS", "2"),
            ("OUTBOX_BACKOFF_UNIT_MS", "10"),
            ("OUTBOX_BACKOFF_MAX_MS", "50"),
            ("KAFKA_MESSAGE_TIMEOUT_MS", "300"),
        ],
    ));
    eventually(
        Duration::from_secs(60),
        "attempts beyond the maximum",
        || async {
            let attempts: i32 = sqlx::query_scalar("SELECT publish_attempts FROM outbox_events")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            attempts >= 3
        },
    )
    .await;
    broken.stop().await;
    let (dead, published, next_attempt, last_error): (bool, bool, bool, String) = sqlx::query_as(
        "SELECT dead_at IS NOT NULL, published_at IS NOT NULL, next_attempt_at IS NOT NULL, last_error
         FROM outbox_events",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(!dead && !published && next_attempt);
    assert!(
        last_error.contains("dead-letter publish failed too"),
        "{last_error}"
    );

    // The broker is back: the row is published, not lost.
    sqlx::query("UPDATE outbox_events SET next_attempt_at = now()")
        .execute(&db.pool)
        .await
        .unwrap();
    let healthy = Running::start(config(&db.url, &brokers, &topics, &[]));
    eventually(Duration::from_secs(30), "row published", || async {
        pending_count(&db.pool).await == 0
    })
    .await;
    healthy.stop().await;
    let consumed = consume_all(&brokers, &topics.events, 1, Duration::from_secs(20));
    assert_exactly_once_in_order(&envelopes, &consumed);
}
