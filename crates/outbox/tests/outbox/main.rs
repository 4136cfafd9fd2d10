//! The outbox crate against the real PostgreSQL: the migrated schema is the crate's, the
//! claim keeps per-key order and stays bounded with a large backlog and stale statistics.
//! Each test uses its own throwaway database (testkit).

mod claim_plan;
mod relay;
mod schema;
mod stats;

use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

/// Inserts one event through the crate, in its own transaction, as a service would.
pub async fn insert_event(pool: &PgPool, key: &str) -> Uuid {
    let id = Uuid::now_v7();
    let payload = json!({ "event_id": id, "key": key });
    let mut tx = pool.begin().await.unwrap();
    outbox::insert(
        &mut tx,
        &outbox::NewEvent {
            id,
            key,
            aggregate_type: "test",
            aggregate_id: Uuid::nil(),
            event_type: "TestHappened",
            payload: &payload,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}
