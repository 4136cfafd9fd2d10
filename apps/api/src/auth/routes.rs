//! HTTP transport of docs/spec.md#auth: `/auth/register`, `/auth/login`, `/auth/refresh`,
//! `/auth/logout`, `/me`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, CONTENT_TYPE, COOKIE, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::openapi::schema::{KnownFormat, Object, ObjectBuilder, SchemaFormat, Type};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::client_ip::ClientIp;
use super::domain::{Role, EMAIL_PATTERN, MAX_EMAIL_LENGTH};
use super::password::{self, Password};
use super::rate_limit;
use super::repo::UserRecord;
use super::service::{self, NewAccount, Session};
use super::tokens::RefreshToken;
use super::AuthUser;
use crate::config::Environment;
use crate::error::{ApiError, ErrorBody};
use crate::http::extract::deserialize_fields;
use crate::http::AppJson;
use crate::state::AppState;

/// Name of the cookie that carries the refresh token (scoped to `/auth`).
pub const REFRESH_COOKIE: &str = "refresh_token";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(schema_with = email_schema)]
    pub email: String,
    #[schema(schema_with = password_schema)]
    pub password: Password,
    /// `admin` is refused (403) unless the server runs with `ALLOW_ADMIN_BOOTSTRAP=true`.
    #[serde(default = "default_role")]
    #[schema(default = "user")]
    pub role: Role,
}

/// The email rule of [`Email::parse`], stated as JSON Schema.
fn email_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(MAX_EMAIL_LENGTH))
        .pattern(Some(EMAIL_PATTERN))
        .description(Some(
            "An ASCII address: a local part of 1 to 64 characters (letters, digits, `.` and \
             ``!#$%&'*+/=?^_`{|}~-``, not starting or ending with `.`), `@`, a domain of \
             labels of letters, digits and inner hyphens ending in a top-level domain of \
             letters. Surrounding spaces are dropped and the address is stored lower-cased.",
        ))
        .examples(["ann@example.com"])
        .build()
}

/// The password policy: what JSON Schema can state is in the schema; the rest is in the
/// description and answered with 422.
fn password_schema() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Password)))
        .min_length(Some(password::MIN_LENGTH))
        .max_length(Some(password::MAX_LENGTH))
        .pattern(Some(password::password_pattern()))
        .description(Some(
            "12 to 128 characters with an ASCII lower-case letter, an ASCII upper-case letter, \
             a digit and a special character (anything else). Also refused with 422, which \
             JSON Schema cannot state: one of the common passwords the server ships, and a \
             password that contains the email's local part (when that is 4 or more \
             characters), compared case-insensitively.",
        ))
        .examples(["Tr1cky-Horse-Battery"])
        .build()
}

fn default_role() -> Role {
    Role::User
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(example = "ann@example.com")]
    pub email: String,
    #[schema(value_type = String, format = Password)]
    pub password: Password,
}

/// Optional when the `refresh_token` cookie is sent instead. When a body is sent it must be
/// this object (`null` or any other JSON value is refused with 422).
#[derive(Debug, Deserialize, ToSchema)]
pub struct RefreshRequest {
    #[schema(value_type = String)]
    pub refresh_token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct User {
    pub id: Uuid,
    #[schema(example = "ann@example.com")]
    pub email: String,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl From<UserRecord> for User {
    fn from(user: UserRecord) -> Self {
        Self {
            id: user.id,
            email: user.email.as_str().to_owned(),
            role: user.role,
            created_at: user.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct TokenPair {
    /// HS256 JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub access_expires_in: u64,
    /// Opaque, one-time: `/auth/refresh` consumes it and returns a successor.
    pub refresh_token: String,
    #[schema(example = 1_209_600)]
    pub refresh_expires_in: u64,
}

/// Creates an account with role `user` (or `admin` while bootstrapping is allowed).
#[utoipa::path(
    post,
    path = "/auth/register",
    tag = "auth",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created", body = User),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 403, description = "Registering as admin is disabled", body = ErrorBody),
        (status = 409, description = "The email cannot be used (generic message)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Invalid email or password policy violated; `details` names each problem", body = ErrorBody),
    )
)]
pub async fn register(
    State(state): State<AppState>,
    AppJson(request): AppJson<RegisterRequest>,
) -> Result<(StatusCode, Json<User>), ApiError> {
    let account = NewAccount::parse(&request.email, request.password, request.role)
        .map_err(ApiError::validation)?;
    let user = service::register(&state, account).await?;
    Ok((StatusCode::CREATED, Json(user.into())))
}

/// Exchanges email and password for a token pair; the refresh token is also set as an
/// `HttpOnly` cookie on `/auth`. Limited to 10 attempts per minute per client IP.
#[utoipa::path(
    post,
    path = "/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; `Set-Cookie: refresh_token=...; HttpOnly; SameSite=Lax; Path=/auth`", body = TokenPair),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Unknown email or wrong password (one message for both)", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "A field is missing or not a string", body = ErrorBody),
        (status = 429, description = "More than 10 attempts this minute from this IP; see `Retry-After`", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the limit resets"))),
    )
)]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    // Taken as a `Result` so that malformed attempts are counted by the rate limit too.
    request: Result<AppJson<LoginRequest>, ApiError>,
) -> Result<Response, ApiError> {
    rate_limit::count_login_attempt(&state.redis, ip).await?;
    let AppJson(request) = request?;
    let session = service::login(&state, &request.email, request.password).await?;
    Ok(session_response(&state, session))
}

/// Rotates the refresh token (from the cookie or the body) and returns a new pair. A token
/// that was already used revokes its whole family.
#[utoipa::path(
    post,
    path = "/auth/refresh",
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "Needed only when the `refresh_token` cookie is not sent; the body wins when both are present."),
    responses(
        (status = 200, description = "New pair; the cookie is replaced", body = TokenPair),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Missing, unknown, expired, revoked or reused refresh token", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "A body that is not JSON", body = ErrorBody),
        (status = 422, description = "The body lacks `refresh_token`", body = ErrorBody),
    )
)]
pub async fn refresh(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let token = presented_refresh_token(&headers, &body)?
        .as_deref()
        .and_then(RefreshToken::parse)
        .ok_or_else(service::invalid_refresh_token)?;
    let session = service::refresh(&state, &token).await?;
    Ok(session_response(&state, session))
}

/// Ends the session: revokes the refresh token (cookie or body) with its family,
/// denylists the bearer access token until it expires and clears the cookie.
#[utoipa::path(
    post,
    path = "/auth/logout",
    tag = "auth",
    request_body(content = Option<RefreshRequest>, description = "Optional; the cookie is used otherwise."),
    security(("bearer" = []), ()),
    responses(
        (status = 204, description = "Logged out; `Set-Cookie` clears the refresh cookie"),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "Neither a valid access token nor a refresh token was presented", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "A body that is not JSON", body = ErrorBody),
        (status = 422, description = "The body lacks `refresh_token`", body = ErrorBody),
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    // An expired or otherwise invalid access token needs no denylisting; the refresh token
    // alone is enough to end the session.
    let access = headers
        .get(AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .and_then(|token| state.jwt.verify(token.trim()).ok());
    let refresh = presented_refresh_token(&headers, &body)?
        .as_deref()
        .and_then(RefreshToken::parse);
    if access.is_none() && refresh.is_none() {
        return Err(ApiError::unauthorized(
            "present the access token or the refresh token to log out",
        ));
    }
    service::logout(&state, access.as_ref(), refresh.as_ref()).await?;
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(SET_COOKIE, clear_cookie(&state));
    Ok(response)
}

/// The caller's profile.
#[utoipa::path(
    get,
    path = "/me",
    tag = "auth",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The authenticated user", body = User),
        (status = 401, description = "Missing, malformed, tampered, expired or logged-out access token", body = ErrorBody),
    )
)]
pub async fn me(State(state): State<AppState>, user: AuthUser) -> Result<Json<User>, ApiError> {
    Ok(Json(service::profile(&state, user.id).await?.into()))
}

/// The refresh token from the JSON body if there is one, else from the cookie.
fn presented_refresh_token(headers: &HeaderMap, body: &Bytes) -> Result<Option<String>, ApiError> {
    if body.iter().any(|b| !b.is_ascii_whitespace()) {
        let is_json = headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|mime| mime.trim().eq_ignore_ascii_case("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "UNSUPPORTED_MEDIA_TYPE",
                "the request body must be sent as Content-Type: application/json",
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(body).map_err(|_| {
            ApiError::bad_request("MALFORMED_JSON", "the request body is not valid JSON")
        })?;
        let request: RefreshRequest = deserialize_fields(value)?;
        return Ok(Some(request.refresh_token));
    }
    Ok(cookie_value(headers, REFRESH_COOKIE).map(str::to_owned))
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim_matches('"'))
}

fn cookie_attributes(state: &AppState) -> &'static str {
    match state.config.environment {
        Environment::Prod => "; HttpOnly; SameSite=Lax; Path=/auth; Secure",
        Environment::Dev => "; HttpOnly; SameSite=Lax; Path=/auth",
    }
}

fn refresh_cookie(state: &AppState, token: &RefreshToken, max_age: u64) -> HeaderValue {
    let value = format!(
        "{REFRESH_COOKIE}={}; Max-Age={max_age}{}",
        token.expose(),
        cookie_attributes(state)
    );
    HeaderValue::from_str(&value).expect("base64url tokens are valid header text")
}

fn clear_cookie(state: &AppState) -> HeaderValue {
    let value = format!("{REFRESH_COOKIE}=; Max-Age=0{}", cookie_attributes(state));
    HeaderValue::from_str(&value).expect("static cookie text")
}

fn session_response(state: &AppState, session: Session) -> Response {
    let access_expires_in =
        u64::try_from(session.access_claims.exp - session.access_claims.iat).unwrap_or(0);
    let cookie = refresh_cookie(state, &session.refresh_token, session.refresh_expires_in);
    let body = TokenPair {
        access_token: session.access_token,
        access_expires_in,
        refresh_token: session.refresh_token.expose().to_owned(),
        refresh_expires_in: session.refresh_expires_in,
    };
    let mut response = Json(body).into_response();
    let headers = response.headers_mut();
    headers.insert(SET_COOKIE, cookie);
    // Token responses must never be stored by a cache (RFC 6749 §5.1).
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.append(
            COOKIE,
            HeaderValue::from_static("a=1; refresh_token=abc; b=2"),
        );
        assert_eq!(cookie_value(&headers, REFRESH_COOKIE), Some("abc"));
        let mut split = HeaderMap::new();
        split.append(COOKIE, HeaderValue::from_static("a=1"));
        split.append(COOKIE, HeaderValue::from_static("refresh_token=xyz"));
        assert_eq!(cookie_value(&split, REFRESH_COOKIE), Some("xyz"));
        assert_eq!(cookie_value(&HeaderMap::new(), REFRESH_COOKIE), None);
        let mut prefixed = HeaderMap::new();
        prefixed.append(COOKIE, HeaderValue::from_static("xrefresh_token=1"));
        assert_eq!(cookie_value(&prefixed, REFRESH_COOKIE), None);
    }
}
