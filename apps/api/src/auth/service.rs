//! The rules of docs/spec.md#auth: registration, login, refresh-token rotation with reuse
//! detection, logout.

use chrono::{DateTime, Duration, Utc};
use redis::AsyncCommands;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::domain::{Email, Role};
use super::extract::denylist_key;
use super::password::{self, Password};
use super::repo::{self, NewRefreshToken, SpentToken, UserRecord};
use super::tokens::{AccessClaims, RefreshToken};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::state::AppState;

/// A registration that passed every rule of the policy.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub password: Password,
    pub role: Role,
}

impl NewAccount {
    /// Checks email and password together so the client learns every problem at once.
    pub fn parse(email: &str, password: Password, role: Role) -> Result<Self, Vec<FieldError>> {
        let mut problems = Vec::new();
        let email = match Email::parse(email) {
            Ok(email) => Some(email),
            Err(message) => {
                problems.push(FieldError::new("email", message));
                None
            }
        };
        problems.extend(
            password::policy_violations(password.expose(), email.as_ref())
                .into_iter()
                .map(|message| FieldError::new("password", message)),
        );
        match email {
            Some(email) if problems.is_empty() => Ok(Self {
                email,
                password,
                role,
            }),
            _ => Err(problems),
        }
    }
}

/// Hashes and stores the account; `None` when the email is already registered. The hash
/// is computed before the insert so a taken email answers no faster than a new one.
pub async fn create_account(
    db: &PgPool,
    account: NewAccount,
) -> anyhow::Result<Option<UserRecord>> {
    let hash = password::hash(account.password).await?;
    Ok(repo::insert_user(db, &account.email, &hash, account.role).await?)
}

pub async fn register(state: &AppState, account: NewAccount) -> ApiResult<UserRecord> {
    if account.role == Role::Admin && !state.config.allow_admin_bootstrap {
        return Err(ApiError::forbidden(
            "registering as admin is disabled; admins are created by the operator",
        ));
    }
    match create_account(&state.db, account).await? {
        Some(user) => {
            tracing::info!(user_id = %user.id, role = %user.role, "user registered");
            Ok(user)
        }
        None => Err(ApiError::conflict(
            "EMAIL_UNAVAILABLE",
            "an account cannot be created with this email address",
        )),
    }
}

/// A freshly issued access + refresh token pair.
#[derive(Debug)]
pub struct Session {
    pub access_token: String,
    pub access_claims: AccessClaims,
    pub refresh_token: RefreshToken,
    /// Seconds the refresh token stays valid (less than the TTL near the absolute limit).
    pub refresh_expires_in: u64,
}

/// However often it is refreshed, a login lasts at most this long (ASVS 5.0 V7.3.2); the
/// refresh TTL itself works as the idle timeout. Never shorter than the refresh TTL.
pub const MAX_SESSION_LIFETIME_SECONDS: u64 = 30 * 24 * 60 * 60;

fn invalid_credentials() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNAUTHORIZED,
        "INVALID_CREDENTIALS",
        "invalid email or password",
    )
}

pub fn invalid_refresh_token() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::UNAUTHORIZED,
        "INVALID_REFRESH_TOKEN",
        "the refresh token is invalid, expired or revoked",
    )
}

/// Checks the password (against a dummy hash for unknown emails, so both failures look and
/// take the same) and starts a new token family.
pub async fn login(state: &AppState, email: &str, password: Password) -> ApiResult<Session> {
    let email = email.trim().to_lowercase();
    let found = if Email::parse(&email).is_ok() {
        repo::find_credentials(&state.db, &email).await?
    } else {
        None
    };
    let (user, stored_hash) = found.map_or((None, None), |(user, hash)| (Some(user), Some(hash)));
    let matches = password::verify(password, stored_hash).await?;
    let user = match user {
        Some(user) if matches => user,
        _ => {
            tracing::info!(user_id = ?user.map(|u| u.id), "login failed");
            metrics::counter!("auth_logins_total", "outcome" => "failure").increment(1);
            return Err(invalid_credentials());
        }
    };
    let mut tx = state.db.begin().await?;
    let session = issue_session(&mut tx, state, &user, Uuid::new_v4(), Utc::now()).await?;
    tx.commit().await?;
    tracing::info!(user_id = %user.id, jti = %session.access_claims.jti, "login succeeded");
    metrics::counter!("auth_logins_total", "outcome" => "success").increment(1);
    Ok(session)
}

/// Issues a pair in token family `family_id`, which started at `family_started_at`.
async fn issue_session(
    conn: &mut PgConnection,
    state: &AppState,
    user: &UserRecord,
    family_id: Uuid,
    family_started_at: DateTime<Utc>,
) -> ApiResult<Session> {
    let now = Utc::now();
    let refresh_ttl = state.config.refresh_ttl_seconds;
    let expires_at = after(now, refresh_ttl).min(after(
        family_started_at,
        refresh_ttl.max(MAX_SESSION_LIFETIME_SECONDS),
    ));
    let refresh_expires_in = u64::try_from((expires_at - now).num_seconds()).unwrap_or(0);
    if refresh_expires_in == 0 {
        // The login is older than the absolute limit: the user must log in again.
        return Err(invalid_refresh_token());
    }
    let (access_token, access_claims) = state.jwt.issue(user.id, user.email.as_str(), user.role);
    let refresh_token = RefreshToken::generate();
    let access_expires_at = DateTime::from_timestamp(access_claims.exp, 0)
        .ok_or_else(|| anyhow::anyhow!("access token expiry out of range"))?;
    repo::insert_refresh_token(
        conn,
        NewRefreshToken {
            user_id: user.id,
            token_hash: &refresh_token.hash(),
            family_id,
            expires_at,
            access_jti: access_claims.jti,
            access_expires_at,
        },
    )
    .await?;
    Ok(Session {
        access_token,
        access_claims,
        refresh_token,
        refresh_expires_in,
    })
}

/// `start` plus `seconds`, saturating instead of overflowing for absurd TTLs.
fn after(start: DateTime<Utc>, seconds: u64) -> DateTime<Utc> {
    i64::try_from(seconds)
        .ok()
        .and_then(Duration::try_seconds)
        .and_then(|duration| start.checked_add_signed(duration))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// One-time rotation. The presented token is consumed and a successor issued in the same
/// transaction; a token that was already used means it was copied, so its whole family
/// (including the successor someone else holds) is revoked and its live access tokens
/// denylisted.
pub async fn refresh(state: &AppState, presented: &RefreshToken) -> ApiResult<Session> {
    let token_hash = presented.hash();
    let mut tx = state.db.begin().await?;
    if let Some(consumed) = repo::consume_refresh_token(&mut tx, &token_hash).await? {
        let family_id = consumed.family_id;
        let session = issue_session(
            &mut tx,
            state,
            &consumed.user,
            family_id,
            consumed.family_started_at,
        )
        .await?;
        tx.commit().await?;
        tracing::info!(user_id = %consumed.user.id, %family_id, jti = %session.access_claims.jti, "refresh token rotated");
        return Ok(session);
    }
    match repo::spent_token(&mut tx, &token_hash).await? {
        Some(SpentToken::Revoked { family_id }) => {
            let live_access = repo::revoke_family(&mut tx, family_id).await?;
            tx.commit().await?;
            tracing::warn!(%family_id, "refresh token reused: token family revoked");
            metrics::counter!("auth_refresh_token_reuse_total").increment(1);
            denylist_all(state, &live_access).await?;
        }
        Some(SpentToken::Expired) | None => tx.rollback().await?,
    }
    Err(invalid_refresh_token())
}

/// Ends the session: the access token's `jti` is denylisted until its `exp`, and the
/// refresh token's family is revoked (with every access token issued in it).
pub async fn logout(
    state: &AppState,
    access: Option<&AccessClaims>,
    refresh: Option<&RefreshToken>,
) -> ApiResult<()> {
    if let Some(claims) = access {
        let expires_at = DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now);
        denylist_all(state, &[(claims.jti, expires_at)]).await?;
    }
    if let Some(token) = refresh {
        let mut tx = state.db.begin().await?;
        if let Some((family_id, user_id)) = repo::family_of(&mut tx, &token.hash()).await? {
            let live_access = repo::revoke_family(&mut tx, family_id).await?;
            tx.commit().await?;
            denylist_all(state, &live_access).await?;
            tracing::info!(%user_id, %family_id, "logged out");
        }
    }
    Ok(())
}

/// Puts each `jti` on the Redis denylist until its token expires anyway.
async fn denylist_all(state: &AppState, tokens: &[(Uuid, DateTime<Utc>)]) -> ApiResult<()> {
    let now = Utc::now();
    let live: Vec<(Uuid, u64)> = tokens
        .iter()
        .filter_map(|(jti, expires_at)| {
            let seconds = (*expires_at - now).num_seconds();
            // One extra second so the entry outlives the token even at the boundary.
            u64::try_from(seconds).ok().map(|s| (*jti, s + 1))
        })
        .collect();
    if live.is_empty() {
        return Ok(());
    }
    let mut connection = state.redis.connection().await?;
    if let [(jti, seconds)] = live.as_slice() {
        let () = connection.set_ex(denylist_key(*jti), 1, *seconds).await?;
        return Ok(());
    }
    let mut pipe = redis::pipe();
    for (jti, seconds) in &live {
        pipe.set_ex(denylist_key(*jti), 1, *seconds).ignore();
    }
    let () = pipe.query_async(&mut connection).await?;
    Ok(())
}

pub async fn profile(state: &AppState, user_id: Uuid) -> ApiResult<UserRecord> {
    repo::find_user(&state.db, user_id)
        .await?
        .ok_or_else(|| ApiError::unauthorized("missing, invalid or expired access token"))
}

/// Outcome of the operator's `api admin create`.
#[derive(Debug)]
pub enum CreatedByOperator {
    Created(UserRecord),
    /// The email exists already; nothing was changed.
    Exists(UserRecord),
}

/// `api admin create`: the same policy as registration, but no bootstrap switch, and
/// idempotent (an existing account is reported and left alone, password included).
pub async fn create_by_operator(
    db: &PgPool,
    account: NewAccount,
) -> anyhow::Result<CreatedByOperator> {
    let email = account.email.clone();
    if let Some(user) = create_account(db, account).await? {
        return Ok(CreatedByOperator::Created(user));
    }
    let (user, _) = repo::find_credentials(db, email.as_str())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the account vanished while it was being created"))?;
    Ok(CreatedByOperator::Exists(user))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_saturate() {
        let now = Utc::now();
        assert_eq!(after(now, 60), now + Duration::seconds(60));
        assert_eq!(after(now, u64::MAX), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn new_accounts_report_every_problem() {
        let problems =
            NewAccount::parse("not-an-email", Password::new("short"), Role::User).unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert!(fields.contains(&"email"), "{problems:?}");
        assert!(
            fields.iter().filter(|f| **f == "password").count() >= 3,
            "{problems:?}"
        );
        let ok = NewAccount::parse(
            " Ann@Example.com ",
            Password::new("Tr1cky-Horse-Battery"),
            Role::User,
        )
        .unwrap();
        assert_eq!(ok.email.as_str(), "ann@example.com");
    }
}
