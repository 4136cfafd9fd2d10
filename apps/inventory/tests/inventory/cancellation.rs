//! A client that goes away mid-request (hyper then drops the request's future; the
//! request timeout does the same) must not leave anything half done: sqlx's `begin()` is
//! not cancel-safe on PostgreSQL, and a connection cancelled there goes back to the pool
//! inside an open transaction, where later autocommit writes are acknowledged but never
//! committed. The router runs every request to completion
//! (`platform::http::run_to_completion`), as the api's does.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use serde_json::json;
use tower::ServiceExt;

use crate::helpers::TestApp;

fn restock(token: &str, sku: &str, on_hand: i64) -> Request<Body> {
    Request::builder()
        .method(Method::PUT)
        .uri(format!("/stock/{sku}/on-hand"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(json!({ "on_hand": on_hand }).to_string()))
        .unwrap()
}

/// Connections of the service's pool that sit inside a transaction nobody is running.
async fn idle_in_transaction(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()
            AND state LIKE 'idle in transaction%'",
    )
    .fetch_one(app.pool())
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_hang_up_leave_no_open_transaction_and_no_lost_write() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token();
    for n in 0..16 {
        app.given_stock(&format!("CANCEL-{n}"), 10).await;
    }

    // Rounds of 16 restocks whose clients all hang up after the same delay, swept from 0
    // to 6 ms: some before, some during and some after the transaction. After each round
    // nothing may stay open.
    for round in 0..60u64 {
        let patience = Duration::from_micros(round * 100);
        let mut hung_up = tokio::task::JoinSet::new();
        for n in 0..16 {
            let router = app.router.clone();
            let request = restock(&admin, &format!("CANCEL-{n}"), 10 + round as i64);
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

    // Every write acknowledged afterwards is really stored.
    for n in 0..40 {
        let sku = format!("AFTER-{n}");
        let response = app
            .post_stock(&admin, &json!({"sku": sku, "on_hand": n}))
            .await;
        assert_eq!(
            response.status,
            StatusCode::CREATED,
            "{}",
            String::from_utf8_lossy(&response.body)
        );
        assert_eq!(
            app.stock(&sku).await,
            Some((n, 0)),
            "acknowledged with 201 but not committed"
        );
    }
}
