//! The service's one error type, rendered as the uniform error body
//! `{"error": {"code", "message", "request_id", "details"?}}` (docs/spec.md#errors).
//!
//! A handler's error becomes a response that carries an [`ErrorPayload`] extension; the
//! `render_errors` middleware writes the body with the request id, also for the bare
//! statuses axum produces itself (unknown route, wrong method, body limit).

use std::borrow::Cow;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use inventory_api::{codes, ErrorBody, ErrorObject, FieldError};

/// What `Retry-After` says after an outage: long enough for a PostgreSQL restart.
pub const RETRY_AFTER_SECONDS: u64 = 2;

/// The body of an error response until `render_errors` adds the request id.
#[derive(Debug, Clone)]
pub struct ErrorPayload {
    pub code: Cow<'static, str>,
    pub message: Cow<'static, str>,
    pub details: Vec<FieldError>,
}

impl ErrorPayload {
    /// The payload for a response the framework produced with only a status.
    pub fn for_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => (codes::NOT_FOUND, "no such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "METHOD_NOT_ALLOWED",
                "this method is not allowed on this resource",
            ),
            StatusCode::PAYLOAD_TOO_LARGE => ("PAYLOAD_TOO_LARGE", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "UNSUPPORTED_MEDIA_TYPE",
                "the request body must be application/json",
            ),
            StatusCode::UNAUTHORIZED => (codes::UNAUTHORIZED, "authentication is required"),
            StatusCode::SERVICE_UNAVAILABLE => {
                (codes::SERVICE_UNAVAILABLE, "the service is unavailable")
            }
            status if status.is_client_error() => ("BAD_REQUEST", "the request cannot be served"),
            _ => ("INTERNAL_ERROR", "something went wrong on our side"),
        };
        Self {
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn into_body(self, request_id: String) -> ErrorBody {
        ErrorBody {
            error: ErrorObject {
                code: self.code.into_owned(),
                message: self.message.into_owned(),
                request_id,
                details: self.details,
            },
        }
    }
}

/// Boxed, so `Result<T, AppError>` stays one pointer wide on the happy path.
#[derive(Debug)]
pub struct AppError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    payload: ErrorPayload,
    retry_after_seconds: Option<u64>,
    /// The internal cause: logged with the request id, never sent to the client.
    source: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(
        status: StatusCode,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self(Box::new(Inner {
            status,
            payload: ErrorPayload {
                code: code.into(),
                message: message.into(),
                details: Vec::new(),
            },
            retry_after_seconds: None,
            source: None,
        }))
    }

    pub fn validation(details: Vec<FieldError>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            codes::VALIDATION_FAILED,
            "the request is invalid",
        );
        error.0.payload.details = details;
        error
    }

    pub fn invalid_field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    pub fn bad_request(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            codes::UNAUTHORIZED,
            "missing, invalid or expired access token",
        )
    }

    pub fn forbidden(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::FORBIDDEN, codes::FORBIDDEN, message)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, codes::NOT_FOUND, "no such resource")
    }

    pub fn conflict(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// A failure on our side: 503 with `Retry-After` when PostgreSQL cannot be reached
    /// (retrying is safe), otherwise 500 with the cause logged.
    pub fn internal(cause: impl Into<anyhow::Error>) -> Self {
        let cause = cause.into();
        let mut error = if is_outage(&cause) {
            let mut error = Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                codes::SERVICE_UNAVAILABLE,
                "a service this request needs is unavailable, try again later",
            );
            error.0.retry_after_seconds = Some(RETRY_AFTER_SECONDS);
            error
        } else {
            let status = StatusCode::INTERNAL_SERVER_ERROR;
            Self(Box::new(Inner {
                status,
                payload: ErrorPayload::for_status(status),
                retry_after_seconds: None,
                source: None,
            }))
        };
        error.0.source = Some(cause);
        error
    }

    pub fn status(&self) -> StatusCode {
        self.0.status
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        Self::internal(err)
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.0.source {
            // The request's span carries the request id.
            if self.0.status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!(error = format!("{cause:#}"), "dependency unavailable");
            } else {
                tracing::error!(error = format!("{cause:#}"), "request failed");
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

/// PostgreSQL cannot be reached (or is shutting down, or refuses writes after a
/// failover): the caller should retry. Everything else is a bug.
pub fn is_outage(cause: &anyhow::Error) -> bool {
    cause.chain().any(|err| {
        if let Some(err) = err.downcast_ref::<sqlx::Error>() {
            is_sqlx_outage(err)
        } else {
            err.downcast_ref::<std::io::Error>().is_some()
        }
    })
}

/// Connection-level failures; SQLSTATE class 08 and the shutdown/too-many codes.
pub fn is_sqlx_outage(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            code.starts_with("08")
                || matches!(&*code, "53300" | "57P01" | "57P02" | "57P03" | "25006")
        }),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreachable_postgres_is_503_with_retry_after() {
        let response = AppError::from(sqlx::Error::PoolTimedOut).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "2");
        let bug = AppError::from(sqlx::Error::RowNotFound);
        assert_eq!(bug.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
