//! `GET /admin/operator-actions`: the operator action log, newest first (admin only).

use axum::extract::{FromRef, State};
use axum::Json;
use serde::Deserialize;
use sqlx::PgPool;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::domain::{ActionName, OperatorAction, OperatorActionPage};
use super::repo;
use crate::auth::AdminOnly;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::http::AppQuery;
use crate::state::AppState;

const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 200;

/// What the route needs of the state: the api's database.
#[derive(Clone)]
pub struct ActionLogDb(pub PgPool);

impl FromRef<AppState> for ActionLogDb {
    fn from_ref(state: &AppState) -> Self {
        Self(state.db.clone())
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_operator_actions))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperatorActionsQuery {
    /// Maximum number of entries, 1–200 (default 50).
    #[param(value_type = Option<u8>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

/// Every redrive and discard of a dead letter and every re-queue of an outbox's dead rows:
/// who, when, what. Newest first.
#[utoipa::path(
    get,
    path = "/admin/operator-actions",
    tag = "admin",
    security(("bearer" = [])),
    params(OperatorActionsQuery),
    responses(
        (status = 200, description = "The newest entries of the action log", body = OperatorActionPage),
        (status = 401, description = "Missing or invalid access token", body = ErrorBody),
        (status = 403, description = "The caller is not an admin", body = ErrorBody),
        (status = 422, description = "Invalid `limit`", body = ErrorBody),
    )
)]
pub async fn list_operator_actions(
    State(ActionLogDb(db)): State<ActionLogDb>,
    _admin: AdminOnly,
    AppQuery(query): AppQuery<OperatorActionsQuery>,
) -> ApiResult<Json<OperatorActionPage>> {
    let limit = match query.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|limit| (1..=MAX_LIMIT).contains(limit))
            .ok_or_else(|| {
                ApiError::validation(vec![FieldError::new(
                    "limit",
                    "must be an integer between 1 and 200",
                )])
            })?,
    };
    let rows = repo::list(&db, limit).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let action = ActionName::parse(&row.action).ok_or_else(|| {
                ApiError::internal(anyhow::anyhow!("unknown operator action {:?}", row.action))
            })?;
            Ok(OperatorAction {
                id: row.id,
                action,
                actor_id: row.actor_id,
                actor_email: row.actor_email,
                at: row.at,
                target: row.target,
                detail: row.detail,
            })
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(Json(OperatorActionPage { items }))
}
