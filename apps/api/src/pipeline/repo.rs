//! The api's own outbox (orderflow's `outbox_events`), through the outbox crate that owns
//! its SQL; and the operator action log entry of a re-queue.

use sqlx::PgPool;
use uuid::Uuid;

use crate::operator_actions;

pub use outbox::OutboxStats;

pub async fn orders_outbox(db: &PgPool) -> sqlx::Result<OutboxStats> {
    outbox::stats(db).await
}

pub async fn requeue_orders_outbox(db: &PgPool) -> sqlx::Result<u64> {
    outbox::requeue_dead(db).await
}

/// Records that `actor` re-queued `requeued` dead rows of the outbox `name`.
pub async fn record_requeue(
    db: &PgPool,
    actor_id: Uuid,
    actor_email: &str,
    name: &str,
    requeued: u64,
) -> sqlx::Result<Uuid> {
    operator_actions::repo::record(
        db,
        operator_actions::domain::REQUEUE_DEAD_OUTBOX,
        actor_id,
        actor_email,
        &format!("outbox:{name}"),
        &format!("requeued {requeued} dead row(s)"),
    )
    .await
}
