//! HTTP transport of the pipeline page (docs/spec.md#pipeline-page), admin only.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::domain::{OutboxName, PipelineStatus, Requeued};
use super::service::PipelineService;
use crate::auth::AdminOnly;
use crate::error::{ApiResult, ErrorBody};
use crate::http::AppPath;
use crate::inventory::routes::Forwarded;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(pipeline_status))
        .routes(routes!(requeue_dead))
}

/// Is everything flowing? Every outbox, consumer group, the stream job and the topics
/// (admin only).
///
/// Always 200 while the api itself works: each section says whether its source (the api's
/// database, the inventory service, the broker, Flink's REST API) answered; a source that
/// failed or took more than 2 s is `down` with a short `error`, its figures `null` or
/// empty, and the other sections are complete. The sources are read concurrently.
#[utoipa::path(
    get,
    path = "/admin/pipeline",
    tag = "admin",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The pipeline's figures, a section per source", body = PipelineStatus),
        (status = 401, description = "Missing, invalid or expired access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
    )
)]
pub async fn pipeline_status(
    _admin: AdminOnly,
    State(pipeline): State<PipelineService>,
) -> Json<PipelineStatus> {
    Json(pipeline.snapshot().await)
}

/// Re-queues an outbox's dead rows (admin only).
///
/// Rows that failed to publish 10 times are dead (their dead letter is on the DLQ). Once
/// the cause is fixed, this puts every dead row of the outbox back in the queue with its
/// attempts reset; the outbox worker publishes them again (consumers de-duplicate by
/// `event_id`). Recorded in the operator action log as `requeue_dead_outbox`.
#[utoipa::path(
    post,
    path = "/admin/pipeline/outboxes/{name}/requeue-dead",
    tag = "admin",
    security(("bearer" = [])),
    params(("name" = inline(OutboxName), Path, description = "The outbox: `orders` (the api's) or `inventory` (the inventory service's); any other name is 404")),
    responses(
        (status = 200, description = "How many dead rows were re-queued (0 when there were none)", body = Requeued),
        (status = 401, description = "Missing, invalid or expired access token", body = ErrorBody),
        (status = 403, description = "Not an admin", body = ErrorBody),
        (status = 404, description = "No outbox of that name (`NOT_FOUND`)", body = ErrorBody),
    )
)]
pub async fn requeue_dead(
    admin: AdminOnly,
    State(pipeline): State<PipelineService>,
    Forwarded(caller): Forwarded,
    AppPath(outbox): AppPath<OutboxName>,
) -> ApiResult<Json<Requeued>> {
    Ok(Json(
        pipeline.requeue_dead(outbox, &admin.0, &caller).await?,
    ))
}
