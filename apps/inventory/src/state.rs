use access_token::JwtKeys;
use axum::extract::FromRef;
use metrics_exporter_prometheus::PrometheusHandle;
use sqlx::PgPool;

/// What the HTTP handlers may use; each extracts only its part (`FromRef`).
#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: PgPool,
    pub jwt: JwtKeys,
    pub metrics: PrometheusHandle,
}
