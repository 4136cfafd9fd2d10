//! SQL of the operator action log (`operator_actions`). Every statement is checked against
//! the schema at compile time.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

/// Logs one action by `actor`; returns the entry's id.
pub async fn record(
    db: &PgPool,
    action: &str,
    actor_id: Uuid,
    actor_email: &str,
    target: &str,
    detail: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO operator_actions (id, action, actor_id, actor_email, target, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
        id,
        action,
        actor_id,
        actor_email,
        target,
        detail
    )
    .execute(db)
    .await?;
    Ok(id)
}

/// Logs the same action on many targets in one statement (a bulk redrive).
pub async fn record_many(
    db: &PgPool,
    action: &str,
    actor_id: Uuid,
    actor_email: &str,
    targets: &[String],
    detail: &str,
) -> Result<(), sqlx::Error> {
    let ids: Vec<Uuid> = targets.iter().map(|_| Uuid::now_v7()).collect();
    sqlx::query!(
        "INSERT INTO operator_actions (id, action, actor_id, actor_email, target, detail)
         SELECT id, $2, $3, $4, target, $6
         FROM UNNEST($1::uuid[], $5::text[]) AS t (id, target)",
        &ids,
        action,
        actor_id,
        actor_email,
        targets,
        detail
    )
    .execute(db)
    .await?;
    Ok(())
}

pub struct ActionRow {
    pub id: Uuid,
    pub action: String,
    pub actor_id: Uuid,
    pub actor_email: String,
    pub target: String,
    pub detail: String,
    pub at: DateTime<Utc>,
}

/// The newest `limit` entries, newest first.
pub async fn list(db: &PgPool, limit: i64) -> Result<Vec<ActionRow>, sqlx::Error> {
    sqlx::query_as!(
        ActionRow,
        "SELECT id, action, actor_id, actor_email, target, detail, at
         FROM operator_actions ORDER BY at DESC, id DESC LIMIT $1",
        limit
    )
    .fetch_all(db)
    .await
}

/// The latest action on a target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LatestAction {
    pub action: String,
    pub actor_email: String,
    pub at: DateTime<Utc>,
}

/// The latest action on each of `targets` that has one (index `operator_actions_target_at_idx`).
pub async fn latest_for_targets(
    db: &PgPool,
    targets: &[String],
) -> Result<HashMap<String, LatestAction>, sqlx::Error> {
    let rows = sqlx::query!(
        "SELECT DISTINCT ON (target) target, action, actor_email, at
         FROM operator_actions WHERE target = ANY($1)
         ORDER BY target, at DESC, id DESC",
        targets
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let latest = LatestAction {
                action: row.action,
                actor_email: row.actor_email,
                at: row.at,
            };
            (row.target, latest)
        })
        .collect())
}
