//! Stream tickets: `EventSource` cannot send an `Authorization` header, and an access
//! token in a URL would end up in logs and browser history. A logged-in client trades its
//! token for a ticket: random, valid [`TICKET_TTL_SECONDS`], usable once. Redis keeps
//! `live:ticket:{sha256 of the ticket}` → `{user_id} {role}`; redeeming is one `GETDEL`,
//! so two requests with the same ticket cannot both succeed.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Role;
use crate::state::Redis;

pub const TICKET_TTL_SECONDS: u64 = 30;
const TICKET_BYTES: usize = 32;

/// A ticket as issued or presented; it never prints itself.
#[derive(Clone, PartialEq, Eq)]
pub struct Ticket(String);

impl Ticket {
    pub fn generate() -> Self {
        let mut bytes = [0u8; TICKET_BYTES];
        rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// A presented ticket; anything that cannot be one of ours is refused without a lookup.
    pub fn parse(presented: &str) -> Option<Self> {
        let decoded = URL_SAFE_NO_PAD.decode(presented).ok()?;
        (decoded.len() == TICKET_BYTES).then(|| Self(presented.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The Redis key: a hash, so that a look at Redis yields no usable ticket.
    pub fn key(&self) -> String {
        format!(
            "live:ticket:{}",
            hex::encode(Sha256::digest(self.0.as_bytes()))
        )
    }
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Ticket(***)")
    }
}

/// Whom a ticket was issued to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TicketHolder {
    pub user_id: Uuid,
    pub role: Role,
}

impl TicketHolder {
    fn encode(&self) -> String {
        format!("{} {}", self.user_id, self.role.as_str())
    }

    fn decode(stored: &str) -> Option<Self> {
        let (user_id, role) = stored.split_once(' ')?;
        Some(Self {
            user_id: Uuid::parse_str(user_id).ok()?,
            role: role.parse().ok()?,
        })
    }
}

/// Stores a fresh ticket for `holder`, valid [`TICKET_TTL_SECONDS`].
pub async fn store(redis: &Redis, ticket: &Ticket, holder: TicketHolder) -> redis::RedisResult<()> {
    let mut connection = redis.connection().await?;
    redis::cmd("SET")
        .arg(ticket.key())
        .arg(holder.encode())
        .arg("EX")
        .arg(TICKET_TTL_SECONDS)
        .arg("NX")
        .query_async::<Option<String>>(&mut connection)
        .await?;
    Ok(())
}

/// Uses the ticket up: its holder, or `None` when it is unknown, expired or already used.
pub async fn redeem(redis: &Redis, ticket: &Ticket) -> redis::RedisResult<Option<TicketHolder>> {
    let mut connection = redis.connection().await?;
    let stored: Option<String> = redis::cmd("GETDEL")
        .arg(ticket.key())
        .query_async(&mut connection)
        .await?;
    Ok(stored.as_deref().and_then(TicketHolder::decode))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickets_are_random_opaque_and_hashed_in_redis() {
        let ticket = Ticket::generate();
        assert_ne!(ticket, Ticket::generate());
        assert_eq!(Ticket::parse(ticket.expose()), Some(ticket.clone()));
        assert!(ticket.key().starts_with("live:ticket:"));
        assert!(!ticket.key().contains(ticket.expose()));
        assert_eq!(format!("{ticket:?}"), "Ticket(***)");
        for bad in ["", "short", "not base64 !!", &"A".repeat(44), " x"] {
            assert!(Ticket::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn holders_round_trip() {
        for role in [Role::User, Role::Admin] {
            let holder = TicketHolder {
                user_id: Uuid::now_v7(),
                role,
            };
            assert_eq!(TicketHolder::decode(&holder.encode()), Some(holder));
        }
        assert_eq!(TicketHolder::decode("nonsense"), None);
        assert_eq!(TicketHolder::decode(&format!("{} root", Uuid::nil())), None);
    }
}
