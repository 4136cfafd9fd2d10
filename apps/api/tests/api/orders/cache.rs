//! Order reads are cached in Redis (cache-aside), invalidated on change, and never shown
//! to anybody the database would not show them to.

use axum::http::StatusCode;
use redis::AsyncCommands;

use super::{created_order, reserved_order};
use crate::helpers::TestApp;

async fn counter(app: &TestApp, name: &str) -> f64 {
    let text = app.get("/metrics").await.text();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn order_reads_are_cached_invalidated_and_never_leak() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let mallory = app.user().await;
    let admin = app.admin().await;
    let order = reserved_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap().to_owned();
    let key = format!("order:{id}");
    let mut redis = app.state.redis.connection().await.unwrap();

    let misses_before = counter(&app, "order_cache_misses_total").await;
    let first = app.get_order(&alice, &id).await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("x-cache"), Some("miss"));
    assert!(counter(&app, "order_cache_misses_total").await >= misses_before + 1.0);
    let cached: String = redis.get(&key).await.unwrap();
    assert_eq!(cached.as_bytes(), first.body.as_slice());
    let ttl: i64 = redis.ttl(&key).await.unwrap();
    assert!((1..=60).contains(&ttl), "ttl {ttl}");

    let hits_before = counter(&app, "order_cache_hits_total").await;
    let second = app.get_order(&alice, &id).await;
    assert_eq!(second.status, StatusCode::OK);
    assert_eq!(second.header("x-cache"), Some("hit"));
    assert_eq!(second.header("content-type"), Some("application/json"));
    assert_eq!(second.body, first.body);
    assert!(counter(&app, "order_cache_hits_total").await >= hits_before + 1.0);

    // Cached or not, another user cannot see it; an admin can.
    let denied = app.get_order(&mallory, &id).await;
    denied.assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    let still_cached: bool = redis.exists(&key).await.unwrap();
    assert!(still_cached);
    let for_admin = app.get_order(&admin, &id).await;
    assert_eq!(for_admin.header("x-cache"), Some("hit"));
    assert_eq!(for_admin.body, first.body);

    // A status change removes the snapshot; the next read is fresh.
    assert_eq!(
        app.set_order_status(&alice, &id, "paid").await.status,
        StatusCode::OK
    );
    let gone: bool = redis.exists(&key).await.unwrap();
    assert!(!gone, "PATCH invalidates the cache");
    let fresh = app.get_order(&alice, &id).await;
    assert_eq!(fresh.header("x-cache"), Some("miss"));
    assert_eq!(fresh.json()["status"], "paid");

    // An unreadable entry is ignored and replaced, never served.
    let _: () = redis.set(&key, "{garbage").await.unwrap();
    let repaired = app.get_order(&alice, &id).await;
    assert_eq!(repaired.status, StatusCode::OK);
    assert_eq!(repaired.json()["status"], "paid");
    let cached: String = redis.get(&key).await.unwrap();
    assert_eq!(cached.as_bytes(), repaired.body.as_slice());
    let _: () = redis.del(&key).await.unwrap();
}

/// The denylist lookup shares a Redis round trip with the cache read: a logged-out token
/// still gets 401, whether the order is cached or the id names nothing.
#[tokio::test]
async fn a_logged_out_token_reads_nothing_even_from_the_cache() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let order = created_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap().to_owned();
    assert_eq!(app.get_order(&alice, &id).await.status, StatusCode::OK);
    assert_eq!(
        app.get_order(&alice, &id).await.header("x-cache"),
        Some("hit")
    );

    assert_eq!(app.logout(&alice).await.status, StatusCode::NO_CONTENT);
    app.get_order(&alice, &id)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.get_order(&alice, "not-a-uuid")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
