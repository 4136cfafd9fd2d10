//! `GET /internal/outbox` and `POST /internal/outbox/requeue-dead` (admin only, the caller's
//! token forwarded by the api like every route of this service).

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use inventory_api::{paths, OutboxStatus, RequeuedDead};
use sqlx::PgPool;

use crate::auth::AdminCaller;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(paths::OUTBOX, get(status))
        .route(paths::OUTBOX_REQUEUE_DEAD, post(requeue_dead))
}

async fn status(_admin: AdminCaller, State(db): State<PgPool>) -> AppResult<Json<OutboxStatus>> {
    let stats = outbox::stats(&db).await?;
    Ok(Json(OutboxStatus {
        pending: stats.pending,
        pending_capped: stats.pending_capped,
        oldest_pending_age_ms: stats
            .oldest_pending_age
            .map(|age| u64::try_from(age.as_millis()).unwrap_or(u64::MAX)),
        dead: stats.dead,
        dead_capped: stats.dead_capped,
        published_last_minute: stats.published_last_minute,
    }))
}

#[tracing::instrument(name = "requeue dead outbox rows", skip_all, fields(actor = %admin.id))]
async fn requeue_dead(
    AdminCaller(admin): AdminCaller,
    State(db): State<PgPool>,
) -> AppResult<Json<RequeuedDead>> {
    let requeued = outbox::requeue_dead(&db).await?;
    tracing::info!(requeued, "dead outbox rows requeued");
    Ok(Json(RequeuedDead { requeued }))
}
