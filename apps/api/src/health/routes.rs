use std::collections::BTreeMap;
use std::future::Future;
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ErrorBody};
use crate::state::AppState;

const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, ToSchema)]
pub struct DependencyStatus {
    /// `up` or `down`.
    pub status: &'static str,
    pub latency_ms: u64,
    /// Why it is down (a short, non-sensitive description).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HealthReport {
    /// `ok` when every dependency is up.
    pub status: &'static str,
    pub checks: BTreeMap<&'static str, DependencyStatus>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(healthz))
}

/// Liveness and readiness: PostgreSQL `SELECT 1`, Redis `PING`, Kafka metadata.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "operations",
    responses(
        (status = 200, description = "Every dependency answered", body = HealthReport),
        (status = 503, description = "A dependency failed; `details` names it and `checks` has the report", body = ErrorBody),
    )
)]
pub async fn healthz(State(state): State<AppState>) -> Result<Json<HealthReport>, ApiError> {
    let (postgres, redis, kafka) = tokio::join!(
        probe("postgres", async {
            sqlx::query("SELECT 1")
                .execute(&state.db)
                .await
                .map(drop)
                .map_err(anyhow::Error::from)
        }),
        probe("redis", async {
            let mut connection = state.redis.connection().await?;
            let pong: String = redis::cmd("PING").query_async(&mut connection).await?;
            anyhow::ensure!(pong == "PONG", "unexpected reply to PING");
            Ok(())
        }),
        probe("kafka", async {
            let brokers = state.kafka.broker_count(CHECK_TIMEOUT).await?;
            anyhow::ensure!(brokers > 0, "no brokers in cluster metadata");
            Ok(())
        }),
    );
    let checks: BTreeMap<_, _> = [postgres, redis, kafka].into_iter().collect();
    let failed: Vec<&str> = checks
        .iter()
        .filter(|(_, check)| check.status != "up")
        .map(|(name, _)| *name)
        .collect();
    if failed.is_empty() {
        return Ok(Json(HealthReport {
            status: "ok",
            checks,
        }));
    }
    let details = failed
        .iter()
        .map(|name| {
            crate::error::FieldError::new(*name, checks[name].error.clone().unwrap_or_default())
        })
        .collect();
    let report = serde_json::to_value(&checks).expect("health report is plain JSON");
    Err(ApiError::validation(details)
        .with_status(
            StatusCode::SERVICE_UNAVAILABLE,
            "DEPENDENCY_UNAVAILABLE",
            format!("unavailable: {}", failed.join(", ")),
        )
        .with_extra("checks", report))
}

async fn probe(
    name: &'static str,
    check: impl Future<Output = anyhow::Result<()>>,
) -> (&'static str, DependencyStatus) {
    let started = Instant::now();
    let outcome = tokio::time::timeout(CHECK_TIMEOUT, check).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let error = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(err)) => {
            tracing::warn!(
                dependency = name,
                error = format!("{err:#}"),
                "health check failed"
            );
            Some("check failed".to_owned())
        }
        Err(_) => {
            tracing::warn!(dependency = name, "health check timed out");
            Some(format!("no answer within {} s", CHECK_TIMEOUT.as_secs()))
        }
    };
    let status = if error.is_none() { "up" } else { "down" };
    (
        name,
        DependencyStatus {
            status,
            latency_ms,
            error,
        },
    )
}
