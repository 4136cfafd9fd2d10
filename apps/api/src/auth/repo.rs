//! SQL of the auth slice: users and refresh tokens.

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::domain::{Email, Role};

#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: Uuid,
    pub email: Email,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

fn role_from_db(role: &str) -> Result<Role, sqlx::Error> {
    role.parse()
        .map_err(|err: String| sqlx::Error::Decode(err.into()))
}

/// Inserts a user; `Ok(None)` when the email is taken.
pub async fn insert_user(
    db: &PgPool,
    email: &Email,
    password_hash: &str,
    role: Role,
) -> Result<Option<UserRecord>, sqlx::Error> {
    let row = sqlx::query!(
        r#"INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)
           ON CONFLICT (email) DO NOTHING
           RETURNING id, email, role, created_at"#,
        Uuid::now_v7(),
        email.as_str(),
        password_hash,
        role.as_str(),
    )
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(UserRecord {
            id: row.id,
            email: Email::from_trusted(row.email),
            role: role_from_db(&row.role)?,
            created_at: row.created_at,
        })
    })
    .transpose()
}

pub async fn find_user(db: &PgPool, id: Uuid) -> Result<Option<UserRecord>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, email, role, created_at FROM users WHERE id = $1",
        id
    )
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok(UserRecord {
            id: row.id,
            email: Email::from_trusted(row.email),
            role: role_from_db(&row.role)?,
            created_at: row.created_at,
        })
    })
    .transpose()
}

/// The user and their password hash, for login.
pub async fn find_credentials(
    db: &PgPool,
    email: &str,
) -> Result<Option<(UserRecord, String)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT id, email, role, created_at, password_hash FROM users WHERE email = $1",
        email
    )
    .fetch_optional(db)
    .await?;
    row.map(|row| {
        Ok((
            UserRecord {
                id: row.id,
                email: Email::from_trusted(row.email),
                role: role_from_db(&row.role)?,
                created_at: row.created_at,
            },
            row.password_hash,
        ))
    })
    .transpose()
}

pub struct NewRefreshToken<'a> {
    pub user_id: Uuid,
    pub token_hash: &'a str,
    pub family_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub access_jti: Uuid,
    pub access_expires_at: DateTime<Utc>,
}

pub async fn insert_refresh_token(
    conn: &mut PgConnection,
    token: NewRefreshToken<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"INSERT INTO refresh_tokens
             (id, user_id, token_hash, family_id, expires_at, access_jti, access_expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)"#,
        Uuid::now_v7(),
        token.user_id,
        token.token_hash,
        token.family_id,
        token.expires_at,
        token.access_jti,
        token.access_expires_at,
    )
    .execute(conn)
    .await
    .map(drop)
}

/// A refresh token that was just marked used.
#[derive(Debug)]
pub struct ConsumedToken {
    pub family_id: Uuid,
    /// When the family's first token was issued, i.e. when the user logged in.
    pub family_started_at: DateTime<Utc>,
    pub user: UserRecord,
}

/// Marks a live token used, atomically: of any number of concurrent callers presenting
/// the same token exactly one gets the row back (the others block on the row lock, then
/// find it revoked).
pub async fn consume_refresh_token(
    conn: &mut PgConnection,
    token_hash: &str,
) -> Result<Option<ConsumedToken>, sqlx::Error> {
    let row = sqlx::query!(
        r#"UPDATE refresh_tokens AS t SET revoked_at = now()
           FROM users AS u
           WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now()
             AND u.id = t.user_id
           RETURNING t.family_id, u.id, u.email, u.role, u.created_at,
             (SELECT min(f.created_at) FROM refresh_tokens AS f WHERE f.family_id = t.family_id)
               AS "family_started_at!""#,
        token_hash
    )
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(ConsumedToken {
            family_id: row.family_id,
            family_started_at: row.family_started_at,
            user: UserRecord {
                id: row.id,
                email: Email::from_trusted(row.email),
                role: role_from_db(&row.role)?,
                created_at: row.created_at,
            },
        })
    })
    .transpose()
}

/// What a token that could not be consumed is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpentToken {
    /// Already used or revoked: presenting it again is treated as theft.
    Revoked {
        family_id: Uuid,
    },
    Expired,
}

pub async fn spent_token(
    conn: &mut PgConnection,
    token_hash: &str,
) -> Result<Option<SpentToken>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT family_id, revoked_at IS NOT NULL AS "revoked!" FROM refresh_tokens
           WHERE token_hash = $1"#,
        token_hash
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| {
        if row.revoked {
            SpentToken::Revoked {
                family_id: row.family_id,
            }
        } else {
            SpentToken::Expired
        }
    }))
}

pub async fn family_of(
    conn: &mut PgConnection,
    token_hash: &str,
) -> Result<Option<(Uuid, Uuid)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT family_id, user_id FROM refresh_tokens WHERE token_hash = $1",
        token_hash
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| (row.family_id, row.user_id)))
}

/// Revokes every token of the family and returns the access tokens issued with them that
/// have not expired yet (`jti`, `exp`), for the caller to denylist.
pub async fn revoke_family(
    conn: &mut PgConnection,
    family_id: Uuid,
) -> Result<Vec<(Uuid, DateTime<Utc>)>, sqlx::Error> {
    sqlx::query!(
        "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL",
        family_id
    )
    .execute(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"SELECT access_jti AS "access_jti!", access_expires_at AS "access_expires_at!"
           FROM refresh_tokens
           WHERE family_id = $1 AND access_jti IS NOT NULL AND access_expires_at > now()"#,
        family_id
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| (row.access_jti, row.access_expires_at))
        .collect())
}
