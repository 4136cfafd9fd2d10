//! A client that goes away mid-request (hyper then drops the request's future; the
//! request timeout does the same) must not leave anything half done behind: sqlx's
//! `begin()` is not cancel-safe on PostgreSQL, and a connection cancelled there went back
//! to the pool inside an open transaction, so later requests on it answered 201 for
//! writes that were never committed (found by `bench/http` on 2026-11-26).

use std::time::Duration;

use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;
use uuid::Uuid;

use crate::helpers::{TestApp, TestUser};

fn new_order(user: &TestUser, key: Uuid) -> Request<axum::body::Body> {
    let mut request = Request::builder()
        .method(Method::POST)
        .uri("/orders")
        .header(
            header::AUTHORIZATION,
            format!("Bearer {}", user.access_token),
        )
        .header(header::CONTENT_TYPE, "application/json")
        .header("idempotency-key", key.to_string())
        .body(axum::body::Body::from(
            json!({"currency": "EUR", "items": [{"sku": "SKU-1", "qty": 1, "unit_price": 100}]})
                .to_string(),
        ))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            [127, 0, 0, 1],
            40000,
        ))));
    request
}

/// Connections of the app's pool that sit inside a transaction nobody is running.
async fn idle_in_transaction(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_hang_up_leave_no_open_transaction_and_no_lost_write() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;

    // Rounds of 16 orders whose clients all hang up after the same delay, swept from 0 to
    // 6 ms, so that some hang up before, some during and some after the transaction. After
    // each round, whatever was started finishes or rolls back: nothing stays open (checked
    // before the next round could reuse, and so hide, a connection left in a transaction).
    for round in 0..60u64 {
        let patience = Duration::from_micros(round * 100);
        let mut hung_up = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let router = app.router.clone();
            let request = new_order(&alice, Uuid::new_v4());
            hung_up.spawn(async move {
                let _ = tokio::time::timeout(patience, router.oneshot(request)).await;
            });
        }
        while hung_up.join_next().await.is_some() {}
        let mut open = i64::MAX;
        for _ in 0..50 {
            open = idle_in_transaction(&app).await;
            if open == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(
            open, 0,
            "hanging up after {patience:?} left pooled connections inside a transaction"
        );
    }

    // And every write the API acknowledges afterwards is really stored; registration is
    // a single autocommit INSERT, which a stale transaction would swallow.
    for n in 0..40 {
        let email = format!("after-{n}-{}@example.com", Uuid::new_v4().simple());
        let response = app
            .register(&email, "Quiet-Harbor-Lamp-2026!", "user")
            .await;
        assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
        let stored: Option<String> = sqlx::query_scalar("SELECT email FROM users WHERE email = $1")
            .bind(&email)
            .fetch_optional(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            stored,
            Some(email),
            "acknowledged with 201 but not committed"
        );
    }
}
