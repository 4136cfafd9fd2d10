//! HTTP transport of the dead-letter console (docs/spec.md#dead-letters-console-and-redrive),
//! admin only.

use axum::extract::State;
use axum::Json;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::domain::{is_error_code, DlqTopic, LetterId};
use super::dto::{
    DeadLetterListParams, DeadLetterPage, Discarded, ListQuery, RedriveAllRequest, Redriven,
    RedrivenAll,
};
use super::service::{self, DeadLetterConsole};
use crate::auth::AdminOnly;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::http::{AppJson, AppPath, AppQuery};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_dead_letters))
        .routes(routes!(redrive_all))
        .routes(routes!(redrive_dead_letter))
        .routes(routes!(discard_dead_letter))
}

/// `{topic}/{partition}/{offset}` as sent; anything that cannot name a letter is a 404.
type LetterPath = AppPath<(String, String, String)>;

fn letter_id(AppPath((topic, partition, offset)): LetterPath) -> ApiResult<LetterId> {
    LetterId::parse(&topic, &partition, &offset).ok_or_else(ApiError::not_found)
}

/// The dead letters of `orders.dlq` or `inventory.dlq`, newest first.
///
/// Reads the newest 5,000 messages of each partition of the topic (no consumer group, no
/// committed offsets). Discarded letters are left out unless `include_discarded=true`.
#[utoipa::path(
    get,
    path = "/admin/dead-letters",
    tag = "admin",
    security(("bearer" = [])),
    params(DeadLetterListParams),
    responses(
        (status = 200, description = "One page of dead letters, and the count per reason", body = DeadLetterPage),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "The caller is not an admin", body = ErrorBody),
        (status = 422, description = "Invalid `topic`, `reason`, `include_discarded`, `limit` or `cursor` (named in `details`)", body = ErrorBody),
    )
)]
pub async fn list_dead_letters(
    State(console): State<DeadLetterConsole>,
    _admin: AdminOnly,
    AppQuery(params): AppQuery<DeadLetterListParams>,
) -> ApiResult<Json<DeadLetterPage>> {
    let query = ListQuery::parse(&params).map_err(ApiError::validation)?;
    Ok(Json(service::list(&console, &query).await?))
}

/// Sends one dead letter's original payload, unchanged and with its original key, to its
/// source topic, once its cause is fixed.
///
/// Redriving again is allowed and logged again: the consumers that de-duplicate by
/// `event_id` (projector audit, inventory, orders saga) process the event once; the stream
/// job counts it only within its lateness bound (1 h).
#[utoipa::path(
    post,
    path = "/admin/dead-letters/{topic}/{partition}/{offset}/redrive",
    tag = "admin",
    security(("bearer" = [])),
    params(
        ("topic" = DlqTopic, Path, description = "The DLQ topic"),
        ("partition" = i32, Path, description = "Partition of the dead letter", minimum = 0),
        ("offset" = i64, Path, description = "Offset of the dead letter", minimum = 0),
    ),
    responses(
        (status = 200, description = "Redriven and logged", body = Redriven),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "The caller is not an admin", body = ErrorBody),
        (status = 404, description = "No such topic, partition or offset", body = ErrorBody),
        (status = 409, description = "The source topic is derived (`orders.sku-stats`), unknown or missing (`NOT_REDRIVABLE`)", body = ErrorBody),
    )
)]
pub async fn redrive_dead_letter(
    State(console): State<DeadLetterConsole>,
    admin: AdminOnly,
    path: LetterPath,
) -> ApiResult<Json<Redriven>> {
    service::redrive(&console, &admin.0, letter_id(path)?).await?;
    Ok(Json(Redriven { redriven: 1 }))
}

/// Redrives every non-discarded, redrivable dead letter of a topic with one `error_code`
/// (among the newest 5,000 per partition), each logged.
#[utoipa::path(
    post,
    path = "/admin/dead-letters/redrive",
    tag = "admin",
    security(("bearer" = [])),
    request_body = RedriveAllRequest,
    responses(
        (status = 200, description = "How many were redriven, and how many with that code may not be", body = RedrivenAll),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "The caller is not an admin", body = ErrorBody),
        (status = 422, description = "Unknown `topic` or invalid `error_code`", body = ErrorBody),
    )
)]
pub async fn redrive_all(
    State(console): State<DeadLetterConsole>,
    admin: AdminOnly,
    AppJson(body): AppJson<RedriveAllRequest>,
) -> ApiResult<Json<RedrivenAll>> {
    if !is_error_code(&body.error_code) {
        return Err(ApiError::invalid_field(
            "error_code",
            "must be an error_code: 1–100 characters of A-Z, a-z, 0-9, _, - and .",
        ));
    }
    let result = service::redrive_all(&console, &admin.0, body.topic, &body.error_code).await?;
    Ok(Json(result))
}

/// Hides one dead letter from the default listing (it stays in the topic), logged.
#[utoipa::path(
    post,
    path = "/admin/dead-letters/{topic}/{partition}/{offset}/discard",
    tag = "admin",
    security(("bearer" = [])),
    params(
        ("topic" = DlqTopic, Path, description = "The DLQ topic"),
        ("partition" = i32, Path, description = "Partition of the dead letter", minimum = 0),
        ("offset" = i64, Path, description = "Offset of the dead letter", minimum = 0),
    ),
    responses(
        (status = 200, description = "Discarded and logged", body = Discarded),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "The caller is not an admin", body = ErrorBody),
        (status = 404, description = "No such topic, partition or offset", body = ErrorBody),
    )
)]
pub async fn discard_dead_letter(
    State(console): State<DeadLetterConsole>,
    admin: AdminOnly,
    path: LetterPath,
) -> ApiResult<Json<Discarded>> {
    service::discard(&console, &admin.0, letter_id(path)?).await?;
    Ok(Json(Discarded { discarded: 1 }))
}
