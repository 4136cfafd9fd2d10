//! The API's one error type and the uniform error body of docs/spec.md#errors:
//! `{"error": {"code", "message", "request_id", "details"?}}`.
//!
//! Handlers return [`ApiError`]; it becomes a response that carries an [`ErrorPayload`]
//! extension and no body. The `render_errors` middleware turns that payload (or the bare
//! status of a response the framework produced, such as 404 or 405) into the JSON body,
//! adding the request id, so there is exactly one place where error bodies are written.

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// One invalid input field, e.g. `items[0].qty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorObject {
    /// Stable machine-readable code, e.g. `VALIDATION_FAILED`.
    #[schema(example = "VALIDATION_FAILED")]
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
    pub request_id: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

/// What an error response carries until `render_errors` writes its body.
#[derive(Debug, Clone)]
pub struct ErrorPayload {
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
    pub details: Vec<FieldError>,
    /// Extra top-level members of the body (for example the health report).
    pub extra: Map<String, Value>,
}

impl ErrorPayload {
    /// The payload for a response the framework produced with only a status.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("BAD_REQUEST", "the request is malformed"),
            StatusCode::UNAUTHORIZED => ("UNAUTHORIZED", "authentication is required"),
            StatusCode::FORBIDDEN => ("FORBIDDEN", "you may not do this"),
            StatusCode::NOT_FOUND => ("NOT_FOUND", "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "METHOD_NOT_ALLOWED",
                "this method is not allowed on this resource",
            ),
            StatusCode::REQUEST_TIMEOUT => ("REQUEST_TIMEOUT", "the request took too long"),
            StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "UNSUPPORTED_MEDIA_TYPE",
                "the request body must be application/json",
            ),
            StatusCode::UNPROCESSABLE_ENTITY => ("VALIDATION_FAILED", "the request is invalid"),
            StatusCode::TOO_MANY_REQUESTS => ("RATE_LIMITED", "too many requests"),
            StatusCode::SERVICE_UNAVAILABLE => {
                ("SERVICE_UNAVAILABLE", "the service is unavailable")
            }
            status if status.is_client_error() => ("BAD_REQUEST", "the request cannot be served"),
            _ => ("INTERNAL_ERROR", "something went wrong on our side"),
        };
        Self {
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
            extra: Map::new(),
        }
    }

    pub fn into_body(self, request_id: String) -> Value {
        let body = ErrorBody {
            error: ErrorObject {
                code: self.code,
                message: self.message,
                request_id,
                details: self.details,
            },
        };
        let mut value = serde_json::to_value(body).expect("error body is plain JSON");
        if let Value::Object(object) = &mut value {
            object.extend(self.extra);
        }
        value
    }
}

/// Boxed, so `Result<T, ApiError>` stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct ApiError(Box<ApiErrorInner>);

#[derive(Debug)]
struct ApiErrorInner {
    status: StatusCode,
    payload: ErrorPayload,
    retry_after_seconds: Option<u64>,
    /// The internal cause: logged with the request id, never sent to the client.
    source: Option<anyhow::Error>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self(Box::new(ApiErrorInner {
            status,
            payload: ErrorPayload {
                code: code.into(),
                message: message.into(),
                details: Vec::new(),
                extra: Map::new(),
            },
            retry_after_seconds: None,
            source: None,
        }))
    }

    /// An error another service answered, passed on as it is (status, code, message,
    /// details); the request id is still this request's.
    pub fn forwarded(
        status: StatusCode,
        code: String,
        message: String,
        details: Vec<FieldError>,
    ) -> Self {
        Self(Box::new(ApiErrorInner {
            status,
            payload: ErrorPayload {
                code: code.into(),
                message: message.into(),
                details,
                extra: Map::new(),
            },
            retry_after_seconds: None,
            source: None,
        }))
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
            "the request is invalid",
        );
        error.0.payload.details = details;
        error
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn bad_request(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", message)
    }

    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "FORBIDDEN", message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "NOT_FOUND", "no such resource")
    }

    pub fn conflict(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    pub fn payload_too_large() -> Self {
        Self::from_status(StatusCode::PAYLOAD_TOO_LARGE)
    }

    pub fn too_many_requests(retry_after_seconds: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "RATE_LIMITED",
            "too many requests, try again later",
        );
        error.0.retry_after_seconds = Some(retry_after_seconds.max(1));
        error
    }

    /// A failure on our side. When its cause (anywhere in the chain) is a dependency that
    /// cannot be reached, it is an outage, answered 503 so that clients retry; everything
    /// else is a bug, answered 500.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let cause = cause.into();
        if outage::is_outage(&cause) {
            return Self::unavailable(cause);
        }
        let mut error = Self::from_status(StatusCode::INTERNAL_SERVER_ERROR);
        error.0.source = Some(cause);
        error
    }

    /// 503 `SERVICE_UNAVAILABLE` with `Retry-After`: a dependency the request needs is
    /// unreachable. Retrying later (with the same `Idempotency-Key`) is safe.
    pub fn unavailable(cause: impl Into<anyhow::Error>) -> Self {
        let mut error = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "SERVICE_UNAVAILABLE",
            "a service this request needs is unavailable, try again later",
        );
        error.0.retry_after_seconds = Some(outage::RETRY_AFTER_SECONDS);
        error.0.source = Some(cause.into());
        error
    }

    pub fn from_status(status: StatusCode) -> Self {
        Self(Box::new(ApiErrorInner {
            status,
            payload: ErrorPayload::for_status(status),
            retry_after_seconds: None,
            source: None,
        }))
    }

    /// Keeps the details but reports them under another status and code.
    pub fn with_status(
        mut self,
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.0.status = status;
        self.0.payload.code = code.into();
        self.0.payload.message = message.into();
        self
    }

    /// Adds a top-level member to the error body beside `error`.
    pub fn with_extra(mut self, key: &str, value: Value) -> Self {
        self.0.payload.extra.insert(key.to_owned(), value);
        self
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    pub fn code(&self) -> &str {
        &self.0.payload.code
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.0.source {
            // The span around the request carries the request id.
            if self.0.status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!(error = format!("{cause:#}"), code = %self.0.payload.code, "dependency unavailable");
            } else {
                tracing::error!(error = format!("{cause:#}"), code = %self.0.payload.code, "request failed");
            }
        }
        let mut response = self.0.status.into_response();
        if let Some(seconds) = self.0.retry_after_seconds {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response.extensions_mut().insert(self.0.payload);
        response
    }
}

/// Every unexpected failure of a dependency becomes a 503 (unreachable) or a 500 (anything
/// else) with the cause logged; see [`ApiError::internal`].
macro_rules! internal_from {
    ($($source:ty),* $(,)?) => {$(
        impl From<$source> for ApiError {
            fn from(err: $source) -> Self {
                Self::internal(err)
            }
        }
    )*};
}

internal_from!(
    sqlx::Error,
    redis::RedisError,
    anyhow::Error,
    serde_json::Error,
    tokio::task::JoinError
);

pub type ApiResult<T> = Result<T, ApiError>;

mod outage;
