//! `GET /orders/{id}`: the owner and admins read it; anybody else gets a 404.

use axum::http::StatusCode;
use uuid::Uuid;

use super::created_order;
use crate::helpers::TestApp;

#[tokio::test]
async fn owners_and_admins_read_an_order_others_get_404() {
    let app = TestApp::spawn().await;
    let alice = app.user().await;
    let mallory = app.user().await;
    let admin = app.admin().await;
    let order = created_order(&app, &alice).await;
    let id = order["id"].as_str().unwrap();

    let own = app.get_order(&alice, id).await;
    assert_eq!(own.status, StatusCode::OK);
    assert_eq!(own.json(), order);
    assert_eq!(app.get_order(&admin, id).await.json(), order);
    app.get_order(&mallory, id)
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.get_order(&alice, Uuid::new_v4())
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.get_order(&alice, "not-a-uuid")
        .await
        .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    app.get(&format!("/orders/{id}"))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
