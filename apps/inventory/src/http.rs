//! Middleware and extractors of the internal HTTP API: request id, uniform error bodies,
//! request metrics, and JSON/query extractors whose rejections are [`AppError`]s.

use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{FromRequest, MatchedPath, Request};
use axum::http::header::{self, HeaderName};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use inventory_api::FieldError;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::error::{AppError, ErrorPayload};

pub static REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");
const MAX_REQUEST_ID_LEN: usize = 128;

/// The id of the current request: the caller's `X-Request-Id` (the api forwards its own)
/// when it is a sane token, otherwise a fresh UUID.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn is_sane_request_id(candidate: &str) -> bool {
    !candidate.is_empty()
        && candidate.len() <= MAX_REQUEST_ID_LEN
        && candidate
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

pub async fn request_id(mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .filter(|candidate| is_sane_request_id(candidate))
        .map_or_else(|| Uuid::new_v4().to_string(), str::to_owned);
    let value = HeaderValue::from_str(&id).expect("request ids are visible ASCII");
    req.extensions_mut().insert(RequestId(id));
    let span = tracing::info_span!("request", request_id = %value.to_str().unwrap_or(""), method = %req.method(), path = %req.uri().path());
    let mut response = tracing::Instrument::instrument(next.run(req), span).await;
    response
        .headers_mut()
        .insert(REQUEST_ID_HEADER.clone(), value);
    response
}

/// Writes the uniform error body for every error response without a body of its own.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let request_id = req
        .extensions()
        .get::<RequestId>()
        .map(|id| id.0.clone())
        .unwrap_or_default();
    let mut response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let payload = response
        .extensions_mut()
        .remove::<ErrorPayload>()
        .unwrap_or_else(|| ErrorPayload::for_status(status));
    let (mut parts, _) = response.into_parts();
    let rendered = Json(payload.into_body(request_id)).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, rendered.into_body())
}

/// `http_requests_total` and `http_request_duration_seconds` by method, matched route and
/// status (never the raw path: bounded label values).
pub async fn record_metrics(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let method = req.method().to_string();
    let response = next.run(req).await;
    let labels = [
        ("method", method),
        ("route", route),
        ("status", response.status().as_u16().to_string()),
    ];
    metrics::counter!("http_requests_total", &labels).increment(1);
    metrics::histogram!("http_request_duration_seconds", &labels)
        .record(started.elapsed().as_secs_f64());
    response
}

/// A JSON object body: 415 without a JSON content type, 413 over the limit, 400 when it
/// is not JSON, 422 naming the field when it does not fit.
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "the request body must be sent as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "PAYLOAD_TOO_LARGE",
                    "the request body is too large",
                )
            } else {
                AppError::bad_request("UNREADABLE_BODY", "the request body could not be read")
            }
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|err| {
            AppError::bad_request(
                "MALFORMED_JSON",
                format!("the request body is not valid JSON: {err}"),
            )
        })?;
        if !value.is_object() {
            return Err(AppError::invalid_field("body", "must be a JSON object"));
        }
        serde_path_to_error::deserialize(value)
            .map(AppJson)
            .map_err(|err| AppError::validation(vec![field_error(&err)]))
    }
}

fn field_error<E: std::fmt::Display>(err: &serde_path_to_error::Error<E>) -> FieldError {
    let path = err.path().to_string();
    let message = err.inner().to_string();
    // serde reports a missing field at its parent; name the field itself.
    let missing = message
        .strip_prefix("missing field `")
        .and_then(|rest| rest.strip_suffix('`'));
    let field = match missing {
        Some(name) if path == "." => name.to_owned(),
        Some(name) => format!("{path}.{name}"),
        None if path == "." => "body".to_owned(),
        None => path,
    };
    FieldError { field, message }
}

/// The query string as (name, value) pairs, repeated names kept (`sku=A&sku=B`).
pub struct QueryPairs(pub Vec<(String, String)>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for QueryPairs {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        Ok(Self(
            form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::is_sane_request_id;

    #[test]
    fn request_id_rules() {
        assert!(is_sane_request_id("abc-DEF_1.2"));
        assert!(!is_sane_request_id(&"a".repeat(129)));
        assert!(!is_sane_request_id(""));
        assert!(!is_sane_request_id("has space"));
    }
}
