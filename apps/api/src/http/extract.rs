//! Extractors whose rejections are [`ApiError`]s, so malformed input always gets the
//! uniform error body with the offending field named.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// A JSON body: 415 without a JSON content type, 413 over the body limit, 400 when it is
/// not JSON at all, 422 (with the field path) when it is not a JSON object or does not fit
/// the expected shape.
pub struct AppJson<T>(pub T);

impl<S, T> FromRequest<S> for AppJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        if !has_json_content_type(&req) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "the request body must be sent as Content-Type: application/json",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large()
            } else {
                ApiError::bad_request("UNREADABLE_BODY", "the request body could not be read")
            }
        })?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|err| {
            ApiError::bad_request(
                "MALFORMED_JSON",
                format!("the request body is not valid JSON: {err}"),
            )
        })?;
        deserialize_fields(value).map(AppJson)
    }
}

fn has_json_content_type(req: &Request) -> bool {
    let Some(content_type) = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
}

/// Query-string parameters: 422 naming the parameter that does not parse.
pub struct AppQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for AppQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(AppQuery)
            .map_err(|err| ApiError::validation(vec![field_error(&err)]))
    }
}

/// Path parameters: a path that cannot name a resource (say, an id that is not a UUID)
/// names no resource, so it is a 404 like any other unknown id.
pub struct AppPath<T>(pub T);

impl<S, T> FromRequestParts<S> for AppPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| AppPath(value))
            .map_err(|_| ApiError::not_found())
    }
}

/// Every request body of this API is a JSON object. serde would also fill a struct from a
/// JSON array (its fields in order), which the document does not allow, so anything but
/// an object is refused here, the one place bodies are read.
/// A UUID in the one form the OpenAPI document's `format: uuid` names: 36 characters,
/// hyphenated (either case). The braced, URN and 32-digit forms are refused.
pub fn parse_uuid(text: &str) -> Option<uuid::Uuid> {
    if text.len() != 36 {
        return None;
    }
    uuid::Uuid::try_parse(text).ok()
}

pub(crate) fn deserialize_fields<T: DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ApiError> {
    if !value.is_object() {
        return Err(ApiError::invalid_field(
            "body",
            format!("must be a JSON object, not {}", json_kind(&value)),
        ));
    }
    serde_path_to_error::deserialize(value)
        .map_err(|err| ApiError::validation(vec![field_error(&err)]))
}

pub use platform::json::integer as json_integer;

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
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
    FieldError::new(field, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Quantity {
        #[serde(deserialize_with = "json_integer")]
        qty: i64,
    }

    fn qty(json: &str) -> Result<i64, String> {
        serde_json::from_str::<Quantity>(json)
            .map(|q| q.qty)
            .map_err(|err| err.to_string())
    }

    #[test]
    fn integers_are_json_schema_integers() {
        assert_eq!(qty(r#"{"qty": 2}"#), Ok(2));
        assert_eq!(qty(r#"{"qty": -2}"#), Ok(-2));
        assert_eq!(qty(r#"{"qty": 2.0}"#), Ok(2));
        assert_eq!(qty(r#"{"qty": 2e3}"#), Ok(2000));
        assert!(qty(r#"{"qty": 2.5}"#).is_err());
        assert!(qty(r#"{"qty": "2"}"#).is_err());
        assert!(qty(r#"{"qty": 1e300}"#).is_err());
        assert!(qty(r#"{"qty": 18446744073709551615}"#).is_err());
    }

    #[test]
    fn only_hyphenated_uuids_are_uuids() {
        let id = "67e55044-10b1-426f-9247-bb680e5fe0c8";
        assert!(parse_uuid(id).is_some());
        assert!(parse_uuid(&id.to_uppercase()).is_some());
        assert!(parse_uuid(&id.replace('-', "")).is_none());
        assert!(parse_uuid(&format!("{{{id}}}")).is_none());
        assert!(parse_uuid(&format!(" {id}")).is_none());
    }
}
