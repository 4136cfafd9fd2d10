//! `POST /admin/pipeline/outboxes/{name}/requeue-dead`: dead rows back in the queue, the
//! action recorded; the inventory outbox through the inventory service.

use axum::http::StatusCode;
use serde_json::json;
use sqlx::PgPool;

use crate::helpers::{given_outbox_rows, outbox_counts, TestApp, TestUser};

/// `(action, actor_id, actor_email, target, detail)` of every logged action.
async fn actions(pool: &PgPool) -> Vec<(String, uuid::Uuid, String, String, String)> {
    sqlx::query_as(
        "SELECT action, actor_id, actor_email, target, detail FROM operator_actions ORDER BY at, id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn logged(
    admin: &TestUser,
    target: &str,
    detail: &str,
) -> (String, uuid::Uuid, String, String, String) {
    (
        "requeue_dead_outbox".into(),
        admin.id,
        admin.email.clone(),
        target.into(),
        detail.into(),
    )
}

#[tokio::test]
async fn the_orders_outbox_dead_rows_are_requeued_and_the_action_recorded() {
    let app = TestApp::spawn().await;
    given_outbox_rows(&app.db.pool, 1, 2, 1).await;
    let admin = app.admin().await;

    let response = app.requeue_dead_outbox(&admin, "orders").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json(), json!({"requeued": 2}));
    assert_eq!(outbox_counts(&app.db.pool).await, (3, 0));
    let attempts: i32 = sqlx::query_scalar("SELECT max(publish_attempts) FROM outbox_events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(attempts, 0);

    // Nothing left: 0, and recorded as well.
    let again = app.requeue_dead_outbox(&admin, "orders").await;
    assert_eq!(again.json(), json!({"requeued": 0}));
    assert_eq!(
        actions(&app.db.pool).await,
        [
            logged(&admin, "outbox:orders", "requeued 2 dead row(s)"),
            logged(&admin, "outbox:orders", "requeued 0 dead row(s)"),
        ]
    );
}

#[tokio::test]
async fn the_inventory_outbox_is_requeued_by_the_inventory_service() {
    let app = TestApp::with_inventory().await;
    given_outbox_rows(app.inventory().pool(), 0, 3, 0).await;
    given_outbox_rows(&app.db.pool, 0, 1, 0).await;
    let admin = app.admin().await;

    let response = app.requeue_dead_outbox(&admin, "inventory").await;
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(response.json(), json!({"requeued": 3}));
    assert_eq!(outbox_counts(app.inventory().pool()).await, (3, 0));
    assert_eq!(
        outbox_counts(&app.db.pool).await,
        (0, 1),
        "the orders outbox is untouched"
    );
    assert_eq!(
        actions(&app.db.pool).await,
        [logged(&admin, "outbox:inventory", "requeued 3 dead row(s)")]
    );
}

#[tokio::test]
async fn unknown_outboxes_users_and_anonymous_callers_are_refused() {
    let app = TestApp::spawn().await;
    given_outbox_rows(&app.db.pool, 0, 1, 0).await;
    let admin = app.admin().await;
    let user = app.user().await;

    for name in ["payments", "Orders", "orders%20"] {
        app.requeue_dead_outbox(&admin, name)
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    }
    app.requeue_dead_outbox(&user, "orders")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    app.request(
        axum::http::Method::POST,
        "/admin/pipeline/outboxes/orders/requeue-dead",
    )
    .send()
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    assert_eq!(
        outbox_counts(&app.db.pool).await,
        (0, 1),
        "nothing was requeued"
    );
    assert!(actions(&app.db.pool).await.is_empty());
}

#[tokio::test]
async fn the_inventory_service_down_is_503_and_nothing_is_recorded() {
    let app = TestApp::with_inventory().await;
    let admin = app.admin().await;
    app.inventory().stop();

    let response = app.requeue_dead_outbox(&admin, "inventory").await;
    response.assert_error(StatusCode::SERVICE_UNAVAILABLE, "SERVICE_UNAVAILABLE");
    assert_eq!(response.header("retry-after"), Some("2"));
    assert!(actions(&app.db.pool).await.is_empty());
}
