use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use redis::AsyncCommands;
use uuid::Uuid;

use super::tokens::AccessClaims;
use super::Role;
use crate::error::ApiError;
use crate::state::AppState;

/// Redis key that marks an access token's `jti` as logged out until the token's `exp`.
pub fn denylist_key(jti: Uuid) -> String {
    format!("denylist:{jti}")
}

/// The authenticated caller, from a valid, unexpired, not denylisted bearer token.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: Uuid,
    pub email: String,
    pub role: Role,
    pub claims: AccessClaims,
}

impl AuthUser {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    pub fn require(&self, role: Role) -> Result<(), ApiError> {
        if self.role == role {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "this requires the {role} role"
            )))
        }
    }
}

const INVALID_TOKEN: &str = "missing, invalid or expired access token";

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or_else(|| ApiError::unauthorized(INVALID_TOKEN))?;
        let claims = state
            .jwt
            .verify(token)
            .map_err(|_| ApiError::unauthorized(INVALID_TOKEN))?;
        let mut redis = state.redis.connection().await?;
        let denylisted: bool = redis.exists(denylist_key(claims.jti)).await?;
        if denylisted {
            return Err(ApiError::unauthorized(INVALID_TOKEN));
        }
        Ok(Self {
            id: claims.sub,
            email: claims.email.clone(),
            role: claims.role,
            claims,
        })
    }
}

/// A role a route can demand through [`RequireRole`].
pub trait RoleMarker: Send + Sync {
    const ROLE: Role;
}

pub struct Admin;

impl RoleMarker for Admin {
    const ROLE: Role = Role::Admin;
}

/// The reusable `require_role` guard: 401 without a valid token, 403 with the wrong role.
pub struct RequireRole<R: RoleMarker>(pub AuthUser, PhantomData<R>);

/// `require_role(admin)`.
pub type AdminOnly = RequireRole<Admin>;

impl<R: RoleMarker> FromRequestParts<AppState> for RequireRole<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        user.require(R::ROLE)?;
        Ok(Self(user, PhantomData))
    }
}
