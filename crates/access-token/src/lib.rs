//! Access tokens (docs/spec.md#tokens): HS256 JWTs with `sub`, `email`, `role`, `iat`,
//! `exp`, `jti`. The api issues them; every service that serves a caller verifies them
//! with the same `JWT_SECRET`. Verification pins the algorithm, so `alg: none` or an RS/ES
//! token is rejected outright. The logout denylist is not here: it lives in Redis and only
//! the api, the one public edge, checks it (docs/decisions.md).

use std::fmt;
use std::str::FromStr;

use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

// The `role` claim. (No doc comment: it would become the schema's description in the
// api's OpenAPI document.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::User => "user",
            Self::Admin => "admin",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "user" => Ok(Self::User),
            "admin" => Ok(Self::Admin),
            other => Err(format!("unknown role {other:?}")),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub email: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

/// The signing and verifying key (from `JWT_SECRET`) and the lifetime of issued tokens.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    ttl_seconds: i64,
}

impl JwtKeys {
    pub fn new(secret: &[u8], ttl_seconds: u64) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            ttl_seconds: i64::try_from(ttl_seconds).unwrap_or(i64::MAX),
        }
    }

    pub fn ttl_seconds(&self) -> i64 {
        self.ttl_seconds
    }

    /// A fresh token for the user, with a new `jti`.
    pub fn issue(&self, user_id: Uuid, email: &str, role: Role) -> (String, AccessClaims) {
        let iat = Utc::now().timestamp();
        let claims = AccessClaims {
            sub: user_id,
            email: email.to_owned(),
            role,
            iat,
            exp: iat.saturating_add(self.ttl_seconds),
            jti: Uuid::new_v4(),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing cannot fail");
        (token, claims)
    }

    /// Checks signature, algorithm and expiry (no leeway). Denylisting is checked by the
    /// caller that has the Redis connection (the api).
    pub fn verify(&self, token: &str) -> Result<AccessClaims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        decode::<AccessClaims>(token, &self.decoding, &validation).map(|data| data.claims)
    }
}

/// The token of an `Authorization: Bearer <token>` header value, if it is one.
pub fn bearer(header_value: &str) -> Option<&str> {
    header_value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|token| !token.is_empty())
}

#[cfg(test)]
mod tests {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;

    use super::*;

    fn b64(bytes: &[u8]) -> String {
        URL_SAFE_NO_PAD.encode(bytes)
    }

    fn keys() -> JwtKeys {
        JwtKeys::new(b"0123456789abcdef0123456789abcdef", 900)
    }

    #[test]
    fn issued_tokens_verify_with_all_claims() {
        let user = Uuid::new_v4();
        let (token, claims) = keys().issue(user, "a@b.co", Role::Admin);
        let verified = keys().verify(&token).unwrap();
        assert_eq!(verified, claims);
        assert_eq!(verified.exp - verified.iat, 900);
        assert_eq!(verified.sub, user);
    }

    #[test]
    fn rejects_wrong_key_tampering_none_and_expiry() {
        let (token, claims) = keys().issue(Uuid::new_v4(), "a@b.co", Role::User);
        let other = JwtKeys::new(b"another-secret-another-secret-xx", 900);
        assert!(other.verify(&token).is_err(), "wrong key");

        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = AccessClaims {
            role: Role::Admin,
            ..claims.clone()
        };
        parts[1] = b64(&serde_json::to_vec(&forged).unwrap());
        assert!(keys().verify(&parts.join(".")).is_err(), "tampered payload");

        let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(
            keys()
                .verify(&format!("{none_header}.{}.", parts[1]))
                .is_err(),
            "alg none"
        );

        let expired = JwtKeys {
            ttl_seconds: -1,
            ..keys()
        };
        let (token, _) = expired.issue(Uuid::new_v4(), "a@b.co", Role::User);
        assert!(keys().verify(&token).is_err(), "expired");
        assert!(keys().verify("not.a.jwt").is_err());
    }

    #[test]
    fn roles_round_trip_and_bearer_headers_parse() {
        for role in [Role::User, Role::Admin] {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("root".parse::<Role>().is_err());
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("Bearer  "), None);
        assert_eq!(bearer("Basic abc"), None);
    }
}
