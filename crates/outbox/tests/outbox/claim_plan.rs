//! The claim's cost is bounded by the batch size, not the backlog, whatever the planner's
//! statistics say. Asserted on `EXPLAIN (ANALYZE, FORMAT JSON)` of the crate's own claim
//! statement under its own planner settings, never on time.

use serde_json::Value;
use sqlx::PgPool;
use testkit::TestDb;

const BACKLOG: i64 = 200_000;
const BATCH: i64 = 500;

/// 200,000 pending rows, two events per key, inserted after the planner was told the table
/// is empty (ANALYZE on the empty table, autovacuum off: the statistics stay stale).
async fn stale_backlog() -> TestDb {
    let db = TestDb::migrated().await;
    for statement in [
        "ALTER TABLE outbox_events SET (autovacuum_enabled = false)",
        "ANALYZE outbox_events",
    ] {
        sqlx::query(statement).execute(&db.pool).await.unwrap();
    }
    sqlx::query(
        "INSERT INTO outbox_events (id, message_key, aggregate_type, aggregate_id, event_type, payload_json)
         SELECT gen_random_uuid(), 'order-' || (i / 2), 'order', gen_random_uuid(), 'OrderCreated',
                jsonb_build_object('n', i)
         FROM generate_series(0, $1 - 1) AS i",
    )
    .bind(BACKLOG)
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

/// The plan and what it did, for the claim as the relay runs it.
async fn explain_claim(pool: &PgPool) -> Value {
    let mut tx = pool.begin().await.unwrap();
    sqlx::query(outbox::CLAIM_PLANNER_SETTINGS)
        .execute(&mut *tx)
        .await
        .unwrap();
    let plan: Value = sqlx::query_scalar(&format!(
        "EXPLAIN (ANALYZE, FORMAT JSON) {}",
        outbox::CLAIM_SQL
    ))
    .bind(BATCH)
    .bind(None::<chrono::DateTime<chrono::Utc>>)
    .bind(None::<i64>)
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    tx.rollback().await.unwrap();
    plan[0]["Plan"].clone()
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

fn number(node: &Value, field: &str) -> i64 {
    node[field].as_f64().unwrap_or(0.0) as i64
}

/// Rows a scan node read: returned plus filtered out, over all its executions.
fn examined(node: &Value) -> i64 {
    (number(node, "Actual Rows") + number(node, "Rows Removed by Filter"))
        * number(node, "Actual Loops").max(1)
}

fn assert_bounded(plan: &Value) {
    let all = nodes(plan);
    let rendered = serde_json::to_string_pretty(plan).unwrap();
    assert!(
        all.iter().all(|n| n["Node Type"] != "Seq Scan"),
        "no sequential scan: {rendered}"
    );
    assert!(
        all.iter().all(|n| n["Node Type"] != "Sort"),
        "no sort of the backlog: {rendered}"
    );
    assert_eq!(
        number(plan, "Actual Rows"),
        BATCH,
        "a full batch: {rendered}"
    );

    let walk = all
        .iter()
        .find(|n| {
            n["Index Name"] == "outbox_events_claim_idx" && n["Parent Relationship"] != "SubPlan"
        })
        .unwrap_or_else(|| panic!("the claim walks outbox_events_claim_idx: {rendered}"));
    // Every other row is the second event of a key, blocked behind its head.
    let walked = examined(walk);
    assert!(walked <= 2 * BATCH + 2, "walked {walked} rows: {rendered}");

    let probe = all
        .iter()
        .find(|n| n["Index Name"] == "outbox_events_key_head_idx")
        .unwrap_or_else(|| panic!("the head check probes outbox_events_key_head_idx: {rendered}"));
    assert_eq!(
        number(probe, "Actual Loops"),
        walked,
        "one probe per walked row: {rendered}"
    );
    assert!(
        number(probe, "Actual Rows") <= 1,
        "each probe reads one index entry: {rendered}"
    );
    let total: i64 = all
        .iter()
        .filter(|n| n["Relation Name"] == "outbox_events")
        .map(|n| examined(n))
        .sum();
    assert!(total <= 4 * BATCH + 4, "examined {total} rows in all");
}

#[tokio::test]
async fn a_claim_from_200000_rows_with_stale_statistics_examines_a_bounded_number_of_rows() {
    let db = stale_backlog().await;
    let planner_believes: f32 =
        sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE oid = 'outbox_events'::regclass")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert!(
        planner_believes <= 0.0,
        "statistics are stale: {planner_believes}"
    );
    assert_bounded(&explain_claim(&db.pool).await);

    // Fresh statistics change nothing.
    sqlx::query("ANALYZE outbox_events")
        .execute(&db.pool)
        .await
        .unwrap();
    assert_bounded(&explain_claim(&db.pool).await);
}

#[tokio::test]
async fn rows_in_backoff_are_not_walked() {
    let db = stale_backlog().await;
    // The oldest 100,000 rows (50,000 keys) wait out a backoff, as after a broker outage:
    // their available_at is in the future, so the claim starts beyond them.
    sqlx::query(
        "UPDATE outbox_events SET available_at = now() + interval '1 hour', publish_attempts = 1
         WHERE seq <= (SELECT min(seq) FROM outbox_events) + $1 - 1",
    )
    .bind(BACKLOG / 2)
    .execute(&db.pool)
    .await
    .unwrap();
    assert_bounded(&explain_claim(&db.pool).await);
}
