//! The `operator_actions` table (migration `20261126300000_operator_actions`).

use sqlx::PgPool;
use uuid::Uuid;

/// Appends one action to the log and returns its id.
pub async fn record(
    db: &PgPool,
    action: &str,
    actor_id: Uuid,
    actor_email: &str,
    target: &str,
    detail: &str,
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query(
        "INSERT INTO operator_actions (id, action, actor_id, actor_email, target, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(action)
    .bind(actor_id)
    .bind(actor_email)
    .bind(target)
    .bind(detail)
    .execute(db)
    .await?;
    Ok(id)
}
