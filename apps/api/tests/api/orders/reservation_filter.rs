//! `GET /admin/orders?reservation=`: only orders in that reservation state, paged with
//! cursors that belong to the filter.

use axum::http::StatusCode;

use super::{created_order, walk_pages};
use crate::helpers::TestApp;

#[tokio::test]
async fn admins_filter_orders_by_reservation() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let admin = app.admin().await;
    let mut reserved = Vec::new();
    for index in 0..7 {
        let order = created_order(&app, &alice).await;
        let id = order["id"].as_str().unwrap().to_owned();
        if index % 2 == 0 {
            app.reserve(&id).await;
            reserved.push(id);
        }
    }
    let rejected = created_order(&app, &alice).await;
    app.reject(rejected["id"].as_str().unwrap()).await;
    reserved.reverse();

    let listed = walk_pages(
        &app,
        "/admin/orders?reservation=reserved&limit=2",
        &admin,
        None,
    )
    .await;
    assert_eq!(
        listed, reserved,
        "every reserved order, newest first, nothing else"
    );
    let only_rejected = app
        .admin_list_orders(&admin, "reservation=rejected")
        .await
        .json();
    let items = only_rejected["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["id"], rejected["id"]);
    assert_eq!(items[0]["status"], "canceled");
    let by_user = app
        .admin_list_orders(&admin, &format!("user_id={}&reservation=pending", alice.id))
        .await
        .json();
    assert_eq!(by_user["items"].as_array().unwrap().len(), 3);
    let none = app.admin_list_orders(&admin, "reservation=none").await;
    assert_eq!(none.json()["items"], serde_json::json!([]));
}

#[tokio::test]
async fn a_bad_reservation_filter_or_a_cursor_of_another_filter_is_refused() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let admin = app.admin().await;
    for _ in 0..3 {
        let order = created_order(&app, &alice).await;
        app.reserve(order["id"].as_str().unwrap()).await;
    }
    for bad in ["RESERVED", "held", ""] {
        app.admin_list_orders(&admin, &format!("reservation={bad}"))
            .await
            .assert_invalid(&["reservation"]);
    }
    app.admin_list_orders(&admin, "reservation=nope&status=nope&limit=0")
        .await
        .assert_invalid(&["limit", "status", "reservation"]);
    app.admin_list_orders(&alice, "reservation=reserved")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");

    let page = app.admin_list_orders(&admin, "limit=1").await.json();
    let unfiltered_cursor = page["next_cursor"].as_str().unwrap();
    app.admin_list_orders(
        &admin,
        &format!("limit=1&reservation=reserved&cursor={unfiltered_cursor}"),
    )
    .await
    .assert_invalid(&["cursor"]);
    let page = app
        .admin_list_orders(&admin, "limit=1&reservation=reserved")
        .await
        .json();
    let filtered_cursor = page["next_cursor"].as_str().unwrap();
    app.admin_list_orders(&admin, &format!("limit=1&cursor={filtered_cursor}"))
        .await
        .assert_invalid(&["cursor"]);
    let next = app
        .admin_list_orders(
            &admin,
            &format!("limit=1&reservation=reserved&cursor={filtered_cursor}"),
        )
        .await;
    assert_eq!(next.status, StatusCode::OK, "{}", next.text());
}
