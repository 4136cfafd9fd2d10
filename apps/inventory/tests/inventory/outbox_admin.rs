//! `GET /internal/outbox` and `POST /internal/outbox/requeue-dead`: the inventory outbox for
//! the api's pipeline page (admin only), also through `inventory_api::InventoryClient`.

use std::time::Duration;

use axum::http::{Method, StatusCode};
use inventory_api::{CallContext, InventoryClient};
use serde_json::json;
use sqlx::postgres::PgPoolOptions;
use testkit::TestDb;

use crate::helpers::TestApp;

/// Two SKUs created through the API: two `StockAdjusted` rows pending in the outbox.
async fn two_pending_rows(app: &TestApp) {
    for sku in ["OBX-1", "OBX-2"] {
        let created = app
            .post_stock(&app.admin_token(), &json!({"sku": sku, "on_hand": 1}))
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
    }
}

/// Marks the oldest pending row dead, as the relay does after its last attempt.
async fn kill_oldest_row(app: &TestApp) {
    sqlx::query(
        "UPDATE outbox_events SET dead_at = now(), publish_attempts = 10, last_error = 'broker said no'
         WHERE seq = (SELECT min(seq) FROM outbox_events)",
    )
    .execute(app.pool())
    .await
    .unwrap();
}

#[tokio::test]
async fn an_admin_reads_the_figures_and_requeues_dead_rows() {
    let app = TestApp::spawn().await;
    two_pending_rows(&app).await;
    kill_oldest_row(&app).await;

    let response = app.get_as("/internal/outbox", &app.admin_token()).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["pending"], 1);
    assert_eq!(body["pending_capped"], false);
    assert_eq!(body["dead"], 1);
    assert_eq!(body["dead_capped"], false);
    assert_eq!(body["published_last_minute"], 0);
    assert!(body["oldest_pending_age_ms"].as_u64().is_some(), "{body}");

    let requeued = app
        .request(Method::POST, "/internal/outbox/requeue-dead")
        .bearer(&app.admin_token())
        .send()
        .await;
    assert_eq!(requeued.status, StatusCode::OK);
    assert_eq!(requeued.json(), json!({"requeued": 1}));

    let after = app
        .get_as("/internal/outbox", &app.admin_token())
        .await
        .json();
    assert_eq!(
        (after["pending"].as_u64(), after["dead"].as_u64()),
        (Some(2), Some(0))
    );
    let attempts: i32 = sqlx::query_scalar("SELECT max(publish_attempts) FROM outbox_events")
        .fetch_one(app.pool())
        .await
        .unwrap();
    assert_eq!(attempts, 0, "attempts start over");
}

#[tokio::test]
async fn an_empty_outbox_reports_no_oldest_row() {
    let app = TestApp::spawn().await;
    let body = app
        .get_as("/internal/outbox", &app.admin_token())
        .await
        .json();
    assert_eq!(body["pending"], 0);
    assert_eq!(body["oldest_pending_age_ms"], serde_json::Value::Null);
}

#[tokio::test]
async fn users_and_anonymous_callers_are_refused() {
    let app = TestApp::spawn().await;
    two_pending_rows(&app).await;
    kill_oldest_row(&app).await;
    app.get_as("/internal/outbox", &app.user_token())
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.request(Method::GET, "/internal/outbox")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.request(Method::POST, "/internal/outbox/requeue-dead")
        .bearer(&app.user_token())
        .send()
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.request(Method::POST, "/internal/outbox/requeue-dead")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let dead: i64 =
        sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE dead_at IS NOT NULL")
            .fetch_one(app.pool())
            .await
            .unwrap();
    assert_eq!(dead, 1, "nothing was requeued");
}

#[tokio::test]
async fn an_unreachable_database_is_503() {
    let nothing_listens = format!(
        "postgres://orderflow@127.0.0.1:{}/inventory",
        testkit::free_port()
    );
    let pool = PgPoolOptions::new()
        .acquire_timeout(Duration::from_secs(1))
        .connect_lazy(&nothing_listens)
        .unwrap();
    let app = TestApp::with_pool(pool, TestDb::empty().await);
    for method in [Method::GET, Method::POST] {
        let path = if method == Method::GET {
            "/internal/outbox"
        } else {
            "/internal/outbox/requeue-dead"
        };
        let response = app
            .request(method, path)
            .bearer(&app.admin_token())
            .send()
            .await;
        response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
        assert_eq!(response.header("retry-after"), Some("2"));
    }
}

#[tokio::test]
async fn the_client_reads_and_requeues() {
    let app = TestApp::spawn().await;
    two_pending_rows(&app).await;
    kill_oldest_row(&app).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });
    let client = InventoryClient::new(&format!("http://{address}"));
    let admin = CallContext {
        authorization: Some(format!("Bearer {}", app.admin_token())),
        request_id: None,
    };

    let status = client.outbox_status(&admin).await.unwrap();
    assert_eq!((status.pending, status.dead), (1, 1));
    assert_eq!(
        client.requeue_dead_outbox(&admin).await.unwrap().requeued,
        1
    );
    assert_eq!(client.outbox_status(&admin).await.unwrap().dead, 0);

    let err = client
        .outbox_status(&CallContext::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("UNAUTHORIZED"));
}
