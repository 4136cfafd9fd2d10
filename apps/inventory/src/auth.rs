//! Who is calling. The api forwards the caller's `Authorization: Bearer` access token and
//! this service verifies it itself with the shared `access_token` crate (same
//! `JWT_SECRET`). The logout denylist is the api's, the only public edge
//! (docs/decisions.md).

use access_token::{JwtKeys, Role};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use uuid::Uuid;

use crate::error::AppError;

/// Any caller with a valid, unexpired access token.
#[derive(Debug, Clone)]
pub struct Caller {
    pub id: Uuid,
    pub role: Role,
}

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(access_token::bearer)
            .ok_or_else(AppError::unauthorized)?;
        let claims = JwtKeys::from_ref(state)
            .verify(token)
            .map_err(|_| AppError::unauthorized())?;
        Ok(Self {
            id: claims.sub,
            role: claims.role,
        })
    }
}

/// A caller with the admin role: 401 without a valid token, 403 with another role.
#[derive(Debug, Clone)]
pub struct AdminCaller(pub Caller);

impl<S> FromRequestParts<S> for AdminCaller
where
    S: Send + Sync,
    JwtKeys: FromRef<S>,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let caller = Caller::from_request_parts(parts, state).await?;
        if caller.role != Role::Admin {
            return Err(AppError::forbidden("this requires the admin role"));
        }
        Ok(Self(caller))
    }
}
