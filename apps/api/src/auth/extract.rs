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

/// A bearer token whose signature and expiry are verified but whose `jti` has not been
/// looked up in the denylist yet. It becomes an [`AuthUser`] only through [`Self::check`]
/// or [`Self::confirm`]; the latter lets a handler do the lookup in the same Redis round
/// trip as its own read (`GET /orders/{id}` pipelines it with the cache read).
pub struct VerifiedToken {
    claims: AccessClaims,
}

impl VerifiedToken {
    pub fn denylist_key(&self) -> String {
        denylist_key(self.claims.jti)
    }

    /// The caller, given the denylist's answer for [`Self::denylist_key`].
    pub fn confirm(self, denylisted: bool) -> Result<AuthUser, ApiError> {
        if denylisted {
            return Err(ApiError::unauthorized(INVALID_TOKEN));
        }
        let claims = self.claims;
        Ok(AuthUser {
            id: claims.sub,
            email: claims.email.clone(),
            role: claims.role,
            claims,
        })
    }

    /// Looks the token up in the denylist (fail-closed: Redis down → 503).
    pub async fn check(self, state: &AppState) -> Result<AuthUser, ApiError> {
        let mut redis = state.redis.connection().await?;
        let denylisted: bool = redis.exists(self.denylist_key()).await?;
        self.confirm(denylisted)
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        VerifiedToken::from_request_parts(parts, state)
            .await?
            .check(state)
            .await
    }
}

impl FromRequestParts<AppState> for VerifiedToken {
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
        Ok(Self { claims })
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
