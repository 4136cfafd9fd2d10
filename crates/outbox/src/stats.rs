//! What an operator sees of an outbox (the api's pipeline page) and the one repair it
//! offers: re-queueing dead rows. Every figure is read from a partial index, so a refresh
//! costs the same with an empty outbox as with a backlog of millions:
//!
//! - `pending`: counted on `outbox_events_oldest_idx`, but at most [`COUNT_CAP`] entries
//!   (an uncapped count walks the whole backlog: ~0.1–0.3 s for 1.5 M pending rows on
//!   this machine, and it runs every 2 s while a pipeline page is open). Above the cap the
//!   figure is the cap and `pending_capped` says so; the oldest row's age still tells how
//!   far behind the relay is.
//! - `oldest_pending_age`: the head of `outbox_events_oldest_idx` (one index probe).
//! - `dead`: `outbox_events_dead_idx` (dead rows only; normally a handful), capped alike.
//! - `published_last_minute`: a range scan of `outbox_events_published_idx` over the last
//!   60 s: bounded by the publish rate, not by the table's size.
//!
//! The statement runs under [`CLAIM_PLANNER_SETTINGS`], so stale statistics cannot turn
//! any of these into a sequential scan (docs/decisions.md, "Outbox figures").

use std::time::Duration;

use sqlx::PgPool;

use crate::CLAIM_PLANNER_SETTINGS;

/// Counts stop here (see the module documentation).
pub const COUNT_CAP: u64 = 100_000;

/// The figures; `$1` = the cap + 1 (one more row than the cap tells that it was reached).
/// Exposed so tests can `EXPLAIN` exactly this statement.
pub const STATS_SQL: &str = "
SELECT
  (SELECT count(*) FROM (SELECT 1 FROM outbox_events
     WHERE published_at IS NULL AND dead_at IS NULL ORDER BY seq LIMIT $1) AS p) AS pending,
  (SELECT EXTRACT(EPOCH FROM now() - created_at)::float8 FROM outbox_events
     WHERE published_at IS NULL AND dead_at IS NULL ORDER BY seq LIMIT 1) AS oldest_pending_age_s,
  (SELECT count(*) FROM (SELECT 1 FROM outbox_events
     WHERE dead_at IS NOT NULL ORDER BY seq LIMIT $1) AS d) AS dead,
  (SELECT count(*) FROM outbox_events
     WHERE published_at IS NOT NULL AND published_at >= now() - interval '60 seconds')
     AS published_last_minute";

/// An outbox at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutboxStats {
    /// Rows waiting to be published (neither published nor dead), at most the cap.
    pub pending: u64,
    /// `pending` reached the cap: there are at least that many.
    pub pending_capped: bool,
    /// Age of the oldest pending row; `None` when nothing is pending.
    pub oldest_pending_age: Option<Duration>,
    /// Rows that exhausted their attempts (their dead letter is on the DLQ), at most the cap.
    pub dead: u64,
    pub dead_capped: bool,
    /// Rows the broker acknowledged in the last 60 seconds.
    pub published_last_minute: u64,
}

/// The outbox's figures with counts capped at [`COUNT_CAP`].
pub async fn stats(pool: &PgPool) -> sqlx::Result<OutboxStats> {
    stats_capped(pool, COUNT_CAP).await
}

/// [`stats`] with another cap (tests use a small one).
pub async fn stats_capped(pool: &PgPool, cap: u64) -> sqlx::Result<OutboxStats> {
    let limit = i64::try_from(cap.saturating_add(1)).unwrap_or(i64::MAX);
    let mut tx = pool.begin().await?;
    sqlx::query(CLAIM_PLANNER_SETTINGS)
        .execute(&mut *tx)
        .await?;
    let (pending, oldest_seconds, dead, published): (i64, Option<f64>, i64, i64) =
        sqlx::query_as(STATS_SQL)
            .bind(limit)
            .fetch_one(&mut *tx)
            .await?;
    tx.commit().await?;
    let (pending, pending_capped) = capped(pending, cap);
    let (dead, dead_capped) = capped(dead, cap);
    Ok(OutboxStats {
        pending,
        pending_capped,
        oldest_pending_age: oldest_seconds.map(|s| Duration::from_secs_f64(s.max(0.0))),
        dead,
        dead_capped,
        published_last_minute: u64::try_from(published).unwrap_or(0),
    })
}

fn capped(counted: i64, cap: u64) -> (u64, bool) {
    let counted = u64::try_from(counted).unwrap_or(0);
    (counted.min(cap), counted > cap)
}

/// Puts every dead row back in the queue: `dead_at` cleared, attempts reset to 0, claimable
/// now, at its old place in the claim order (`last_error` is kept for the record). Returns how many rows. The relay publishes
/// them in `seq` order among their key's pending rows, i.e. possibly after later events of
/// the same key went out while the row was dead: consumers de-duplicate by `event_id` and
/// must tolerate that, as with a dead-letter redrive.
pub async fn requeue_dead(pool: &PgPool) -> sqlx::Result<u64> {
    let mut tx = pool.begin().await?;
    sqlx::query(CLAIM_PLANNER_SETTINGS)
        .execute(&mut *tx)
        .await?;
    let requeued = sqlx::query(
        "UPDATE outbox_events
         SET dead_at = NULL, publish_attempts = 0, next_attempt_at = NULL,
             available_at = least(available_at, now())
         WHERE dead_at IS NOT NULL",
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    tx.commit().await?;
    Ok(requeued)
}

#[cfg(test)]
mod tests {
    use super::capped;

    #[test]
    fn counts_above_the_cap_are_the_cap_and_flagged() {
        assert_eq!(capped(0, 10), (0, false));
        assert_eq!(capped(10, 10), (10, false));
        assert_eq!(capped(11, 10), (10, true));
        assert_eq!(capped(-1, 10), (0, false));
    }
}
