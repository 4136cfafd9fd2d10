//! The relaying side: claim → (publish, elsewhere) → mark, all in the claiming transaction.
//!
//! Ordering per key: a row is claimable only while it is the *head* of its key, i.e. no
//! pending row (unpublished, not dead) of its key has a smaller `seq`; `FOR UPDATE SKIP
//! LOCKED` keeps two claimers apart. So at most one row per key is ever in flight, and the
//! next row of a key becomes claimable only once the transaction that published (or
//! dead-lettered) its predecessor commits. A row in backoff is still pending and so holds
//! back the later rows of its key.
//!
//! Bounded cost: the claim walks the partial index `outbox_events_claim_idx` (pending rows
//! only) in `(available_at, seq)` order and stops after `limit` rows are locked; the head
//! check is a scalar subquery, i.e. one index descent of `outbox_events_key_head_idx` per
//! examined row. It examines the rows it returns plus those it skips (locked by other
//! in-flight batches, or blocked behind their key's head), never the rest of the backlog.
//! Rows waiting out a backoff have `available_at` in the future and are not walked at all.
//! The planner could still pick a sequential scan + sort (it did, with stale statistics
//! after a burst of inserts: 433 ms per claim); [`CLAIM_PLANNER_SETTINGS`] rule that out for
//! the claiming transaction only.

use std::time::Duration;

use chrono::{DateTime, Utc};

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

/// Transaction-local planner settings the claim runs under. With sequential scans, bitmap
/// scans and explicit sorts disabled, the only plan left for `ORDER BY available_at, seq
/// LIMIT n` is the ordered walk of the claim index, and the head probe can only be an
/// index descent: the plan cannot flip whatever the statistics say. (`enable_*` = off
/// makes a path prohibitively expensive rather than forbidden; an index path always exists
/// here, so it always wins.) `SET LOCAL` ends with the transaction: nothing leaks into
/// other statements on a pooled connection.
/// (`set_config(..., true)` is `SET LOCAL` as one statement with one round trip.)
pub const CLAIM_PLANNER_SETTINGS: &str = "SELECT set_config('enable_seqscan', 'off', true),
       set_config('enable_bitmapscan', 'off', true), set_config('enable_sort', 'off', true)";

/// The claim; `$1` = the batch size, `$2`/`$3` = the [`Position`] to continue after (NULL:
/// from the start). Exposed so tests can `EXPLAIN` exactly this statement.
pub const CLAIM_SQL: &str = "
SELECT o.id, o.seq, o.message_key, o.event_type, o.payload_json::text AS payload,
       o.publish_attempts, o.available_at
FROM outbox_events o
WHERE o.published_at IS NULL AND o.dead_at IS NULL
  AND o.available_at <= now()
  AND (o.available_at, o.seq) > (coalesce($2, '-infinity'::timestamptz), coalesce($3, 0))
  AND o.seq = (SELECT h.seq FROM outbox_events h
               WHERE h.message_key = o.message_key
                 AND h.published_at IS NULL AND h.dead_at IS NULL
               ORDER BY h.seq
               LIMIT 1)
ORDER BY o.available_at, o.seq
LIMIT $1
FOR UPDATE OF o SKIP LOCKED";

/// A claimed row, locked until the claiming transaction ends.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Claimed {
    pub id: Uuid,
    pub seq: i64,
    #[sqlx(rename = "message_key")]
    pub key: String,
    pub event_type: String,
    /// `payload_json` as JSON text, published as is.
    pub payload: String,
    pub publish_attempts: i32,
    pub available_at: DateTime<Utc>,
}

impl Claimed {
    /// Where a claim that continues after this row starts.
    pub fn position(&self) -> Position {
        Position {
            available_at: self.available_at,
            seq: self.seq,
        }
    }
}

/// A place in the claim order `(available_at, seq)`.
///
/// A relay with batches in flight can continue its next claim after the last row it
/// claimed instead of walking its own locked rows again. Rows it passed (blocked behind
/// their head, or locked by another worker) are only found by a claim from the start, so
/// the relay starts over whenever a batch is not full, and regularly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    pub available_at: DateTime<Utc>,
    pub seq: i64,
}

/// Claims up to `limit` rows, oldest available first (after `after`, if given), heads of
/// their keys only. Run it in a transaction (`conn` = `&mut *tx`): the row locks last until
/// it ends, and the mark must happen in the same transaction.
pub async fn claim(
    conn: &mut PgConnection,
    limit: u32,
    after: Option<Position>,
) -> sqlx::Result<Vec<Claimed>> {
    sqlx::query(CLAIM_PLANNER_SETTINGS)
        .execute(&mut *conn)
        .await?;
    sqlx::query_as(CLAIM_SQL)
        .bind(i64::from(limit))
        .bind(after.map(|p| p.available_at))
        .bind(after.map(|p| p.seq))
        .fetch_all(&mut *conn)
        .await
}

/// Marks the rows published, in one statement.
pub async fn mark_published(conn: &mut PgConnection, ids: &[Uuid]) -> sqlx::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    sqlx::query(
        "UPDATE outbox_events SET published_at = now(), last_error = NULL, next_attempt_at = NULL
         WHERE id = ANY($1)",
    )
    .bind(ids)
    .execute(conn)
    .await
    .map(|done| done.rows_affected())
}

/// A failed publish of a claimed row, as the relay decided it.
#[derive(Debug, Clone)]
pub struct Failure {
    pub id: Uuid,
    pub key: String,
    pub seq: i64,
    /// The attempt count including this failure.
    pub attempts: i32,
    pub error: String,
    /// `None`: the row is dead (its dead letter was acknowledged). `Some`: retry after this.
    pub retry_in: Option<Duration>,
}

/// Records failures in two statements: the failed rows (attempts, error, backoff or
/// dead), then their keys' later pending rows, whose `available_at` follows their head
/// (pushed to the head's retry time; pulled back to now when the head died) so the claim
/// does not walk rows that cannot be claimed anyway.
pub async fn record_failures(conn: &mut PgConnection, failures: &[Failure]) -> sqlx::Result<()> {
    if failures.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = failures.iter().map(|f| f.id).collect();
    let keys: Vec<&str> = failures.iter().map(|f| f.key.as_str()).collect();
    let seqs: Vec<i64> = failures.iter().map(|f| f.seq).collect();
    let attempts: Vec<i32> = failures.iter().map(|f| f.attempts).collect();
    let errors: Vec<&str> = failures.iter().map(|f| f.error.as_str()).collect();
    let delays_ms: Vec<Option<f64>> = failures
        .iter()
        .map(|f| f.retry_in.map(|d| d.as_secs_f64() * 1_000.0))
        .collect();
    sqlx::query(
        "UPDATE outbox_events o
         SET publish_attempts = f.attempts,
             last_error = f.error,
             next_attempt_at = now() + f.delay_ms * interval '1 millisecond',
             available_at = coalesce(now() + f.delay_ms * interval '1 millisecond', o.available_at),
             dead_at = CASE WHEN f.delay_ms IS NULL THEN now() END
         FROM UNNEST($1::uuid[], $2::int4[], $3::text[], $4::float8[]) AS f(id, attempts, error, delay_ms)
         WHERE o.id = f.id",
    )
    .bind(&ids)
    .bind(&attempts)
    .bind(&errors)
    .bind(&delays_ms)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE outbox_events o
         SET available_at = CASE WHEN f.delay_ms IS NULL THEN least(o.available_at, now())
                                 ELSE greatest(o.available_at, now() + f.delay_ms * interval '1 millisecond') END
         FROM UNNEST($1::text[], $2::int8[], $3::float8[]) AS f(message_key, seq, delay_ms)
         WHERE o.message_key = f.message_key AND o.seq > f.seq
           AND o.published_at IS NULL AND o.dead_at IS NULL",
    )
    .bind(&keys)
    .bind(&seqs)
    .bind(&delays_ms)
    .execute(conn)
    .await
    .map(drop)
}

/// Age of the oldest pending row (`None` when nothing is pending): one probe of
/// `outbox_events_oldest_idx`, in a short transaction under the claim's planner settings.
pub async fn oldest_pending_age(pool: &PgPool) -> sqlx::Result<Option<Duration>> {
    let mut tx = pool.begin().await?;
    sqlx::query(CLAIM_PLANNER_SETTINGS)
        .execute(&mut *tx)
        .await?;
    let seconds: Option<f64> = sqlx::query_scalar(
        "SELECT EXTRACT(EPOCH FROM now() - created_at)::float8 FROM outbox_events
         WHERE published_at IS NULL AND dead_at IS NULL ORDER BY seq LIMIT 1",
    )
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(seconds.map(|s| Duration::from_secs_f64(s.max(0.0))))
}
