//! Tokens of the api: access tokens come from the shared `access_token` crate (re-exported
//! here); refresh tokens are the api's own.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};

pub use access_token::{AccessClaims, JwtKeys};

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
