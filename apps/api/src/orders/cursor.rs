//! The opaque keyset cursor of the order listings.
//!
//! A cursor is base64url (no padding) of `version (1) | created_at µs (8, BE) | id (16) |
//! HMAC-SHA256 tag (32)`. The tag covers the position and the *scope* (who lists, with which
//! filters), so a cursor cannot be forged, altered, or replayed against another listing. The
//! HMAC key is derived from `JWT_SECRET` with its own context string, so it never equals the
//! token signing key.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use uuid::Uuid;

type HmacSha256 = Hmac<Sha256>;

const VERSION: u8 = 1;
const POSITION_LEN: usize = 1 + 8 + 16;
const TAG_LEN: usize = 32;
/// Length of every cursor: base64url without padding of the 57 bytes above. The OpenAPI
/// document states it (`^[A-Za-z0-9_-]{76}$`).
pub const ENCODED_LEN: usize = 76;
/// Separates the cursor key from every other use of `JWT_SECRET`.
const KEY_CONTEXT: &[u8] = b"orderflow/orders/cursor/v1";

/// Where the previous page ended: the last `(created_at, id)` it showed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub created_at: DateTime<Utc>,
    pub id: Uuid,
}

#[derive(Clone)]
pub struct CursorKey([u8; 32]);

impl CursorKey {
    pub fn derive(secret: &[u8]) -> Self {
        let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
        mac.update(KEY_CONTEXT);
        Self(mac.finalize().into_bytes().into())
    }

    fn mac(&self, position: &[u8], scope: &str) -> HmacSha256 {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC takes keys of any length");
        mac.update(position);
        mac.update(scope.as_bytes());
        mac
    }

    pub fn encode(&self, position: Position, scope: &str) -> String {
        let mut bytes = Vec::with_capacity(POSITION_LEN + TAG_LEN);
        bytes.push(VERSION);
        bytes.extend_from_slice(&position.created_at.timestamp_micros().to_be_bytes());
        bytes.extend_from_slice(position.id.as_bytes());
        let tag = self.mac(&bytes, scope).finalize().into_bytes();
        bytes.extend_from_slice(&tag);
        URL_SAFE_NO_PAD.encode(bytes)
    }

    /// `None` for anything this key did not issue for this scope.
    pub fn decode(&self, cursor: &str, scope: &str) -> Option<Position> {
        if cursor.len() != ENCODED_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
        if bytes.len() != POSITION_LEN + TAG_LEN || bytes[0] != VERSION {
            return None;
        }
        let (position, tag) = bytes.split_at(POSITION_LEN);
        // Constant-time comparison.
        self.mac(position, scope).verify_slice(tag).ok()?;
        let micros = i64::from_be_bytes(position[1..9].try_into().ok()?);
        let id = Uuid::from_slice(&position[9..]).ok()?;
        Some(Position {
            created_at: DateTime::from_timestamp_micros(micros)?,
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn position() -> Position {
        Position {
            created_at: DateTime::from_timestamp_micros(1_795_000_000_123_000).unwrap(),
            id: Uuid::now_v7(),
        }
    }

    #[test]
    fn round_trips_within_its_scope_only() {
        let key = CursorKey::derive(b"0123456789abcdef0123456789abcdef");
        let cursor = key.encode(position(), "user:1|status:*");
        assert_eq!(cursor.len(), ENCODED_LEN);
        assert!(cursor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        let decoded = key.decode(&cursor, "user:1|status:*").unwrap();
        assert_eq!(decoded.created_at, position().created_at);
        assert!(key.decode(&cursor, "user:2|status:*").is_none());
        assert!(key.decode(&cursor, "user:1|status:paid").is_none());
        let other_key = CursorKey::derive(b"another-secret-another-secret-xx");
        assert!(other_key.decode(&cursor, "user:1|status:*").is_none());
    }

    #[test]
    fn rejects_tampering_and_garbage() {
        let key = CursorKey::derive(b"0123456789abcdef0123456789abcdef");
        let cursor = key.encode(position(), "s");
        let mut bytes = URL_SAFE_NO_PAD.decode(&cursor).unwrap();
        bytes[3] ^= 1;
        assert!(key.decode(&URL_SAFE_NO_PAD.encode(&bytes), "s").is_none());
        assert!(key.decode(&cursor[..cursor.len() - 1], "s").is_none());
        for garbage in ["", "abc", "!!!!", "%%", &"A".repeat(500)] {
            assert!(key.decode(garbage, "s").is_none(), "{garbage:?}");
        }
    }
}
