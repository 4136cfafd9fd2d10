//! Cache-aside for `GET /orders/{id}`: Redis key `order:{id}` holds the exact JSON body of the
//! order snapshot for 60 s. The snapshot carries `user_id`, which never changes, so the
//! caller's right to see it is decided from the snapshot before it is served.
//!
//! The cache is an optimisation only: Redis errors are logged and treated as a miss.

use redis::AsyncCommands;
use uuid::Uuid;

use crate::state::{AppState, Redis};

pub const TTL_SECONDS: u64 = 60;
/// Snapshots above this are served but not cached (a full 50-item order is about 6 KiB).
pub const MAX_SNAPSHOT_BYTES: usize = 16 * 1024;

/// Describes the cache counters and starts them at zero, so `/metrics` shows them (and
/// rates can be computed) before the first read.
pub fn register_metrics() {
    metrics::describe_counter!(
        "order_cache_hits_total",
        "GET /orders/{id} answers found in the Redis cache"
    );
    metrics::describe_counter!(
        "order_cache_misses_total",
        "GET /orders/{id} answers loaded from PostgreSQL"
    );
    metrics::counter!("order_cache_hits_total").increment(0);
    metrics::counter!("order_cache_misses_total").increment(0);
}

pub fn key(order_id: Uuid) -> String {
    format!("order:{order_id}")
}

pub fn fits(snapshot: &str) -> bool {
    snapshot.len() <= MAX_SNAPSHOT_BYTES
}

pub async fn get(state: &AppState, order_id: Uuid) -> Option<String> {
    let result: redis::RedisResult<Option<String>> = async {
        let mut redis = state.redis.connection().await?;
        redis.get(key(order_id)).await
    }
    .await;
    result
        .inspect_err(|err| tracing::warn!(error = %err, "order cache read failed"))
        .ok()
        .flatten()
}

/// The denylist lookup of the caller's token and the cache read in one round trip:
/// `(denylisted, cached snapshot)`.
pub async fn get_with_denylist(
    state: &AppState,
    denylist_key: &str,
    order_id: Uuid,
) -> redis::RedisResult<(bool, Option<String>)> {
    let mut redis = state.redis.connection().await?;
    redis::pipe()
        .exists(denylist_key)
        .get(key(order_id))
        .query_async(&mut redis)
        .await
}

pub async fn put(state: &AppState, order_id: Uuid, snapshot: &str) {
    if !fits(snapshot) {
        return;
    }
    let result: redis::RedisResult<()> = async {
        let mut redis = state.redis.connection().await?;
        redis.set_ex(key(order_id), snapshot, TTL_SECONDS).await
    }
    .await;
    if let Err(err) = result {
        tracing::warn!(error = %err, "order cache write failed");
    }
}

/// Called after every change of an order commits (status changes by the API, reservation
/// changes and expiries by the order saga). If it fails, the stale snapshot lives at most
/// [`TTL_SECONDS`]; the change itself is already durable, so the caller still succeeds.
pub async fn invalidate(redis: &Redis, order_id: Uuid) {
    let result: redis::RedisResult<()> = async {
        let mut redis = redis.connection().await?;
        redis.del(key(order_id)).await
    }
    .await;
    if let Err(err) = result {
        metrics::counter!("order_cache_invalidation_failures_total").increment(1);
        tracing::error!(error = %err, "order cache invalidation failed");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_cap_is_inclusive() {
        assert!(fits(&"x".repeat(MAX_SNAPSHOT_BYTES)));
        assert!(!fits(&"x".repeat(MAX_SNAPSHOT_BYTES + 1)));
        assert_eq!(
            key(Uuid::nil()),
            "order:00000000-0000-0000-0000-000000000000"
        );
    }
}
