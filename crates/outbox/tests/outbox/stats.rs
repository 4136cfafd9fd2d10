//! The operator's figures and the re-queue of dead rows, against the real PostgreSQL; the
//! statement reads indexes only (asserted on its plan, never on time).

use std::time::Duration;

use outbox::{claim, mark_published, record_failures, requeue_dead, stats, stats_capped, Failure};
use serde_json::Value;
use sqlx::PgPool;
use testkit::TestDb;
use uuid::Uuid;

use crate::insert_event;

/// Claims the heads of `keys` and marks them dead, as the relay does after the last attempt.
async fn dead_letter_heads(pool: &PgPool) -> Vec<Uuid> {
    let mut tx = pool.begin().await.unwrap();
    let claimed = claim(&mut tx, 100, None).await.unwrap();
    let failures: Vec<Failure> = claimed
        .iter()
        .map(|row| Failure {
            id: row.id,
            key: row.key.clone(),
            seq: row.seq,
            attempts: 10,
            error: "broker said no".into(),
            retry_in: None,
        })
        .collect();
    record_failures(&mut tx, &failures).await.unwrap();
    tx.commit().await.unwrap();
    claimed.iter().map(|row| row.id).collect()
}

async fn publish(pool: &PgPool, ids: &[Uuid]) {
    let mut tx = pool.begin().await.unwrap();
    mark_published(&mut tx, ids).await.unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn an_empty_outbox_has_nothing_to_report() {
    let db = TestDb::migrated().await;
    let figures = stats(&db.pool).await.unwrap();
    assert_eq!(figures.pending, 0);
    assert!(!figures.pending_capped);
    assert_eq!(figures.oldest_pending_age, None);
    assert_eq!((figures.dead, figures.published_last_minute), (0, 0));
}

#[tokio::test]
async fn pending_dead_and_recently_published_rows_are_counted() {
    let db = TestDb::migrated().await;
    let published = insert_event(&db.pool, "A").await;
    publish(&db.pool, &[published]).await;
    // Published two minutes ago: not in the last minute.
    let old = insert_event(&db.pool, "B").await;
    publish(&db.pool, &[old]).await;
    sqlx::query(
        "UPDATE outbox_events SET published_at = now() - interval '2 minutes' WHERE id = $1",
    )
    .bind(old)
    .execute(&db.pool)
    .await
    .unwrap();
    let doomed = insert_event(&db.pool, "C").await;
    assert_eq!(dead_letter_heads(&db.pool).await, [doomed]);
    for key in ["D", "E", "D"] {
        insert_event(&db.pool, key).await;
    }
    sqlx::query("UPDATE outbox_events SET created_at = now() - interval '5 seconds' WHERE message_key = 'D'")
        .execute(&db.pool)
        .await
        .unwrap();

    let figures = stats(&db.pool).await.unwrap();
    assert_eq!(figures.pending, 3);
    assert!(!figures.pending_capped);
    assert_eq!(figures.dead, 1);
    assert!(!figures.dead_capped);
    assert_eq!(figures.published_last_minute, 1);
    let age = figures.oldest_pending_age.expect("rows are pending");
    assert!(age >= Duration::from_secs(5), "{age:?}");

    let capped = stats_capped(&db.pool, 2).await.unwrap();
    assert_eq!((capped.pending, capped.pending_capped), (2, true));
    assert_eq!((capped.dead, capped.dead_capped), (1, false));
}

#[tokio::test]
async fn requeued_dead_rows_are_pending_again_with_fresh_attempts() {
    let db = TestDb::migrated().await;
    insert_event(&db.pool, "A").await;
    insert_event(&db.pool, "B").await;
    let dead = dead_letter_heads(&db.pool).await;
    assert_eq!(dead.len(), 2);
    let alive = insert_event(&db.pool, "C").await;
    assert_eq!(stats(&db.pool).await.unwrap().dead, 2);

    assert_eq!(requeue_dead(&db.pool).await.unwrap(), 2);
    let figures = stats(&db.pool).await.unwrap();
    assert_eq!((figures.dead, figures.pending), (0, 3));
    let rows: Vec<(Uuid, i32, bool, bool)> = sqlx::query_as(
        "SELECT id, publish_attempts, dead_at IS NULL, available_at <= now()
         FROM outbox_events WHERE id = ANY($1)",
    )
    .bind(&dead)
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 2);
    assert!(
        rows.iter()
            .all(|row| (row.1, row.2, row.3) == (0, true, true)),
        "{rows:?}"
    );

    // The relay picks them up like any pending row, in their original order.
    let mut tx = db.pool.begin().await.unwrap();
    let claimed: Vec<Uuid> = claim(&mut tx, 10, None)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    tx.rollback().await.unwrap();
    assert_eq!(claimed, [dead[0], dead[1], alive]);

    assert_eq!(
        requeue_dead(&db.pool).await.unwrap(),
        0,
        "nothing left to requeue"
    );
}

/// Every node of the plan tree, subplans included.
fn nodes(plan: &Value) -> Vec<&Value> {
    let mut all = vec![plan];
    if let Some(children) = plan["Plans"].as_array() {
        for child in children {
            all.extend(nodes(child));
        }
    }
    all
}

#[tokio::test]
async fn the_figures_are_read_from_the_partial_indexes_only() {
    let db = TestDb::migrated().await;
    // Stale statistics (the planner believes the table is empty) and a backlog.
    for statement in [
        "ALTER TABLE outbox_events SET (autovacuum_enabled = false)",
        "ANALYZE outbox_events",
    ] {
        sqlx::query(statement).execute(&db.pool).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json, published_at)
         SELECT gen_random_uuid(), 'order-' || i, 'order', gen_random_uuid(), 'OrderCreated',
                '{}'::jsonb, CASE WHEN i % 2 = 0 THEN now() - interval '1 hour' END
         FROM generate_series(1, 20000) AS i",
    )
    .execute(&db.pool)
    .await
    .unwrap();

    let mut tx = db.pool.begin().await.unwrap();
    sqlx::query(outbox::CLAIM_PLANNER_SETTINGS)
        .execute(&mut *tx)
        .await
        .unwrap();
    let plan: Value = sqlx::query_scalar(&format!(
        "EXPLAIN (ANALYZE, FORMAT JSON) {}",
        outbox::STATS_SQL
    ))
    .bind(101_i64)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();

    let plan = &plan[0]["Plan"];
    let rendered = serde_json::to_string_pretty(plan).unwrap();
    let scans: Vec<(&str, &str)> = nodes(plan)
        .into_iter()
        .filter(|node| node["Relation Name"] == "outbox_events")
        .map(|node| {
            (
                node["Node Type"].as_str().unwrap_or(""),
                node["Index Name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(scans.len(), 4, "{rendered}");
    for (node_type, index) in &scans {
        assert!(node_type.starts_with("Index"), "{node_type} in {rendered}");
        assert!(
            [
                "outbox_events_oldest_idx",
                "outbox_events_dead_idx",
                "outbox_events_published_idx"
            ]
            .contains(index),
            "{index} in {rendered}"
        );
    }
    // The pending count stopped at the cap instead of walking the 10,000 pending rows.
    let pending_scan = nodes(plan)
        .into_iter()
        .find(|node| {
            node["Index Name"] == "outbox_events_oldest_idx"
                && node["Node Type"] == "Index Only Scan"
        })
        .expect("the pending count reads the oldest index");
    assert_eq!(
        pending_scan["Actual Rows"].as_f64(),
        Some(101.0),
        "{rendered}"
    );
}
