//! `MAX_UNPAID_ORDERS` (default 20): a user cannot hold more orders in status `created`,
//! not even with concurrent requests; replays and other users are not affected. `0`
//! turns the limit off.

use axum::http::{Method, StatusCode};
use uuid::Uuid;

use super::{created_order, order_body};
use crate::helpers::{send, TestApp};

/// The default limit: the tests' environment raises it, so it is removed here.
async fn app_with_default_limit() -> TestApp {
    TestApp::spawn_with(|env| env.retain(|(name, _)| name != "MAX_UNPAID_ORDERS")).await
}

async fn unpaid_count(app: &TestApp, user: Uuid) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM orders WHERE user_id = $1 AND status = 'created'")
        .bind(user)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_21st_unpaid_order_is_refused_until_one_is_settled() {
    let app = app_with_default_limit().await;
    let alice = app.user().await;
    let bob = app.user().await;
    let first_key = Uuid::new_v4().to_string();
    let body = order_body("SKU-1", 1, 100);
    let first = app.create_order_with_key(&alice, &first_key, &body).await;
    assert_eq!(first.status, StatusCode::CREATED);
    for _ in 1..20 {
        created_order(&app, &alice).await;
    }

    let refused = app.create_order(&alice, &body).await;
    let error = refused.assert_error(StatusCode::CONFLICT, "TOO_MANY_UNPAID_ORDERS");
    assert!(error["message"].as_str().unwrap().contains("20"));
    assert_eq!(unpaid_count(&app, alice.id).await, 20);

    // A replay is not a new order: still 200 with the original.
    let replay = app.create_order_with_key(&alice, &first_key, &body).await;
    assert_eq!(replay.status, StatusCode::OK, "{}", replay.text());
    assert_eq!(replay.body, first.body);
    // Another user has a limit of their own.
    assert_eq!(
        app.create_order(&bob, &body).await.status,
        StatusCode::CREATED
    );

    // Settling one frees a slot.
    let id = first.json()["id"].as_str().unwrap().to_owned();
    let canceled = app.set_order_status(&alice, &id, "canceled").await;
    assert_eq!(canceled.status, StatusCode::OK);
    assert_eq!(
        app.create_order(&alice, &body).await.status,
        StatusCode::CREATED
    );
    app.create_order(&alice, &body)
        .await
        .assert_error(StatusCode::CONFLICT, "TOO_MANY_UNPAID_ORDERS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_never_exceed_the_limit() {
    let app = app_with_default_limit().await;
    let alice = app.user().await;
    let body = order_body("SKU-1", 1, 100);
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let router = app.router.clone();
            let request = app
                .request(Method::POST, "/orders")
                .bearer(&alice.access_token)
                .idempotency_key(&Uuid::new_v4().to_string())
                .json(&body)
                .build();
            tokio::spawn(async move { send(&router, request).await })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        let response = task.await.unwrap();
        match response.status {
            StatusCode::CREATED => created += 1,
            _ => {
                response.assert_error(StatusCode::CONFLICT, "TOO_MANY_UNPAID_ORDERS");
            }
        }
    }
    assert_eq!(created, 20);
    assert_eq!(unpaid_count(&app, alice.id).await, 20);
}

#[tokio::test]
async fn zero_means_no_limit() {
    let app = TestApp::spawn_with(|env| {
        env.retain(|(name, _)| name != "MAX_UNPAID_ORDERS");
        env.push(("MAX_UNPAID_ORDERS".to_owned(), "0".to_owned()));
    })
    .await;
    let alice = app.user().await;
    for _ in 0..25 {
        created_order(&app, &alice).await;
    }
    assert_eq!(unpaid_count(&app, alice.id).await, 25);
}
