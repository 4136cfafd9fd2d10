//! `GET /admin/orders`: every user's orders, for admins only, filtered by user and status.

use axum::http::StatusCode;
use serde_json::json;
use uuid::Uuid;

use super::{created_order, ids_newest_first, insert_old_orders, walk_pages};
use crate::helpers::TestApp;

#[tokio::test]
async fn admin_listing_is_admin_only_and_filters() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let bob = app.user().await;
    let admin = app.admin().await;
    insert_old_orders(&app, alice.id, 12).await;
    insert_old_orders(&app, bob.id, 8).await;
    created_order(&app, &bob).await;

    app.get("/admin/orders")
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.admin_list_orders(&alice, "")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");

    let all: Vec<String> =
        sqlx::query_scalar("SELECT id::text FROM orders ORDER BY created_at DESC, id DESC")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(all.len(), 21);
    assert_eq!(
        walk_pages(&app, "/admin/orders?limit=4", &admin, None).await,
        all
    );

    let bobs = walk_pages(
        &app,
        &format!("/admin/orders?user_id={}&limit=3", bob.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(bobs, ids_newest_first(&app, bob.id, None).await);
    assert_eq!(bobs.len(), 9);
    let page = app
        .admin_list_orders(&admin, &format!("user_id={}&limit=100", bob.id))
        .await
        .json();
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|o| o["user_id"] == bob.id.to_string()));

    let alices_paid = walk_pages(
        &app,
        &format!("/admin/orders?user_id={}&status=paid&limit=2", alice.id),
        &admin,
        None,
    )
    .await;
    assert_eq!(
        alices_paid,
        ids_newest_first(&app, alice.id, Some("paid")).await
    );
    assert_eq!(alices_paid.len(), 3);
    let created = app
        .admin_list_orders(&admin, "status=created&limit=100")
        .await
        .json();
    assert_eq!(created["items"].as_array().unwrap().len(), 21 - 3 - 2);

    let nobody = app
        .admin_list_orders(&admin, &format!("user_id={}", Uuid::new_v4()))
        .await
        .json();
    assert_eq!(nobody, json!({"items": [], "next_cursor": null}));
    app.admin_list_orders(&admin, "user_id=nope")
        .await
        .assert_invalid(&["user_id"]);
    app.admin_list_orders(&admin, "user_id=nope&limit=101&status=x")
        .await
        .assert_invalid(&["user_id", "limit", "status"]);

    // Cursors do not cross listings: the user's own listing, another filter, the admin's.
    let own = app.list_orders(&admin, "limit=1").await.json();
    assert_eq!(
        own["items"],
        json!([]),
        "the admin has no orders of their own"
    );
    let admin_cursor = app.admin_list_orders(&admin, "limit=1").await.json()["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    app.admin_list_orders(&admin, &format!("user_id={}&cursor={admin_cursor}", bob.id))
        .await
        .assert_invalid(&["cursor"]);
    let alice_cursor = app.list_orders(&alice, "limit=1").await.json()["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    app.admin_list_orders(
        &admin,
        &format!("user_id={}&cursor={alice_cursor}", alice.id),
    )
    .await
    .assert_invalid(&["cursor"]);
}
