use std::time::Instant;

use axum::body::Body;
use axum::extract::{MatchedPath, Request};
use axum::http::header::{self, HeaderName};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use uuid::Uuid;

use crate::error::ErrorPayload;

pub static REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request: the caller's `X-Request-Id` when it is a sane token,
/// otherwise a fresh UUID. Echoed in the response header, in logs and in error bodies.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

const MAX_REQUEST_ID_LEN: usize = 128;

pub fn is_sane_request_id(candidate: &str) -> bool {
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
    let header_value = HeaderValue::from_str(&id).expect("request ids are visible ASCII");
    req.headers_mut()
        .insert(REQUEST_ID_HEADER.clone(), header_value.clone());
    req.extensions_mut().insert(RequestId(id));
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .insert(REQUEST_ID_HEADER.clone(), header_value);
    response
}

/// Writes the uniform error body for every error response that has no body of its own:
/// those built from [`crate::error::ApiError`] and bare statuses from the framework
/// (unknown route, wrong method, body limit, timeout).
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
    let payload = match response.extensions_mut().remove::<ErrorPayload>() {
        Some(payload) => payload,
        // Keep bodies that some layer wrote deliberately as JSON; replace everything else.
        None if is_json(&response) => return response,
        None => ErrorPayload::for_status(status),
    };
    let (mut parts, _) = response.into_parts();
    let rendered = Json(payload.into_body(request_id)).into_response();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    Response::from_parts(parts, rendered.into_body())
}

fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
/// The interactive docs load their own bundled scripts and styles, nothing from elsewhere.
const DOCS_CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'";

pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_docs = req.uri().path() == "/docs" || req.uri().path().starts_with("/docs/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    let csp = if is_docs { DOCS_CSP } else { API_CSP };
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    response
}

/// `http_requests_total` and `http_request_duration_seconds` by method, route and status.
/// The route is the matched pattern (`/orders/{id}`), never the raw path, so label
/// cardinality stays bounded.
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

/// Turns a panic in a handler into a logged 500 with the uniform body instead of a dropped
/// connection.
pub fn panic_response(_panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    tracing::error!("handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

#[cfg(test)]
mod tests {
    use super::is_sane_request_id;

    #[test]
    fn request_id_rules() {
        assert!(is_sane_request_id("abc-DEF_1.2"));
        assert!(is_sane_request_id(&"a".repeat(128)));
        assert!(!is_sane_request_id(&"a".repeat(129)));
        assert!(!is_sane_request_id(""));
        assert!(!is_sane_request_id("has space"));
        assert!(!is_sane_request_id("semi;colon"));
        assert!(!is_sane_request_id("ünicode"));
    }
}
