//! Access tokens: HS256 JWTs with `sub`, `email`, `role`, `iat`, `exp`, `jti`.
//! Verification pins the algorithm, so `alg: none` or an RS/ES token is rejected outright.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Role;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub email: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub jti: Uuid,
}

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
    /// caller, which has the Redis connection.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, jsonwebtoken::errors::Error> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "iat", "sub"]);
        decode::<AccessClaims>(token, &self.decoding, &validation).map(|data| data.claims)
    }
}

/// An opaque refresh token: 32 random bytes, base64url. Only its SHA-256 is stored, so a
/// database leak yields no usable token. It never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken(String);

pub const REFRESH_TOKEN_BYTES: usize = 32;

impl RefreshToken {
    pub fn generate() -> Self {
        let mut bytes = [0u8; REFRESH_TOKEN_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A token as presented by a client. Anything that cannot be one of ours (wrong
    /// length or alphabet) is refused without touching the database.
    pub fn parse(presented: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(presented.trim()).ok()?;
        (decoded.len() == REFRESH_TOKEN_BYTES).then(|| Self(presented.trim().to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Hex SHA-256, the form stored in `refresh_tokens.token_hash`.
    pub fn hash(&self) -> String {
        hex::encode(Sha256::digest(self.0.as_bytes()))
    }
}

impl fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RefreshToken(***)")
    }
}

#[cfg(test)]
mod tests {
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
    fn refresh_tokens_are_random_32_bytes_and_hashed() {
        let token = RefreshToken::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(token.expose()).unwrap().len(), 32);
        assert_ne!(token, RefreshToken::generate());
        assert_eq!(token.hash().len(), 64);
        assert_ne!(token.hash(), token.expose());
        assert_eq!(RefreshToken::parse(token.expose()), Some(token.clone()));
        assert_eq!(format!("{token:?}"), "RefreshToken(***)");
        for bad in ["", "short", "not base64 !!", &"A".repeat(44)] {
            assert!(RefreshToken::parse(bad).is_none(), "{bad:?}");
        }
    }
}
