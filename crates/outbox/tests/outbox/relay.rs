use std::time::Duration;

use outbox::{claim, mark_published, record_failures, Claimed, Failure};
use testkit::TestDb;
use uuid::Uuid;

use crate::insert_event;

/// id, attempts, last_error, published, dead, retry scheduled, available only in an hour.
type RowState = (Uuid, i32, Option<String>, bool, bool, bool, bool);

fn ids(rows: &[Claimed]) -> Vec<Uuid> {
    rows.iter().map(|row| row.id).collect()
}

fn failure(row: &Claimed, retry_in: Option<Duration>) -> Failure {
    Failure {
        id: row.id,
        key: row.key.clone(),
        seq: row.seq,
        attempts: row.publish_attempts + 1,
        error: "broker said no".into(),
        retry_in,
    }
}

#[tokio::test]
async fn only_heads_of_keys_are_claimed_and_concurrent_claims_skip_locked_rows() {
    let db = TestDb::migrated().await;
    let a1 = insert_event(&db.pool, "A").await;
    let b1 = insert_event(&db.pool, "B").await;
    let a2 = insert_event(&db.pool, "A").await;
    let a3 = insert_event(&db.pool, "A").await;
    let b2 = insert_event(&db.pool, "B").await;

    let mut first = db.pool.begin().await.unwrap();
    let claimed = claim(&mut first, 10, None).await.unwrap();
    assert_eq!(ids(&claimed), [a1, b1], "heads only, oldest first");
    assert_eq!(claimed[0].key, "A");
    let payload: serde_json::Value = serde_json::from_str(&claimed[0].payload).unwrap();
    assert_eq!(payload["key"], "A");

    // A second claimer meanwhile: the heads are locked, the rest waits behind them.
    let mut second = db.pool.begin().await.unwrap();
    assert!(claim(&mut second, 10, None).await.unwrap().is_empty());
    second.commit().await.unwrap();

    // A1 published; B1 failed and waits an hour, which holds B2 back too.
    assert_eq!(mark_published(&mut first, &[a1]).await.unwrap(), 1);
    record_failures(
        &mut first,
        &[failure(&claimed[1], Some(Duration::from_secs(3_600)))],
    )
    .await
    .unwrap();
    first.commit().await.unwrap();

    let mut third = db.pool.begin().await.unwrap();
    let claimed = claim(&mut third, 10, None).await.unwrap();
    assert_eq!(ids(&claimed), [a2]);
    // A2 is dead-lettered: A3 becomes the head of A.
    record_failures(&mut third, &[failure(&claimed[0], None)])
        .await
        .unwrap();
    third.commit().await.unwrap();

    let mut fourth = db.pool.begin().await.unwrap();
    assert_eq!(ids(&claim(&mut fourth, 10, None).await.unwrap()), [a3]);
    fourth.rollback().await.unwrap();

    let rows: Vec<RowState> = sqlx::query_as(
        "SELECT id, publish_attempts, last_error, published_at IS NOT NULL, dead_at IS NOT NULL,
                next_attempt_at IS NOT NULL, available_at > now() + interval '59 minutes'
         FROM outbox_events ORDER BY seq",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let by_id = |id: Uuid| rows.iter().find(|row| row.0 == id).unwrap().clone();
    assert_eq!(by_id(a1), (a1, 0, None, true, false, false, false));
    assert_eq!(
        by_id(b1),
        (
            b1,
            1,
            Some("broker said no".into()),
            false,
            false,
            true,
            true
        )
    );
    assert!(by_id(b2).6, "B2 follows its head's backoff");
    assert_eq!(
        by_id(a2),
        (
            a2,
            1,
            Some("broker said no".into()),
            false,
            true,
            false,
            false
        )
    );
    assert!(!by_id(a3).6, "A3 is claimable now");

    assert!(outbox::oldest_pending_age(&db.pool)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn the_lag_is_none_when_nothing_is_pending() {
    let db = TestDb::migrated().await;
    assert_eq!(outbox::oldest_pending_age(&db.pool).await.unwrap(), None);
    let id = insert_event(&db.pool, "K").await;
    let mut tx = db.pool.begin().await.unwrap();
    assert_eq!(ids(&claim(&mut tx, 1, None).await.unwrap()), [id]);
    mark_published(&mut tx, &[id]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(outbox::oldest_pending_age(&db.pool).await.unwrap(), None);
}

#[tokio::test]
async fn a_claim_can_continue_after_the_rows_its_relay_already_holds() {
    let db = TestDb::migrated().await;
    let x = insert_event(&db.pool, "X").await;
    let y = insert_event(&db.pool, "Y").await;
    let z = insert_event(&db.pool, "Z").await;

    let mut first = db.pool.begin().await.unwrap();
    let held = claim(&mut first, 1, None).await.unwrap();
    assert_eq!(ids(&held), [x]);
    let mut second = db.pool.begin().await.unwrap();
    let next = claim(&mut second, 10, Some(held[0].position()))
        .await
        .unwrap();
    assert_eq!(ids(&next), [y, z]);
    let mut third = db.pool.begin().await.unwrap();
    assert!(claim(&mut third, 10, Some(next[1].position()))
        .await
        .unwrap()
        .is_empty());
    for tx in [first, second, third] {
        tx.rollback().await.unwrap();
    }
}
