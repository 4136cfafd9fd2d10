//! `GET /stock/{sku}`: one SKU for admins.

use axum::http::StatusCode;

use crate::helpers::{created, TestApp};

#[tokio::test]
async fn an_admin_reads_on_hand_reserved_and_available() {
    let app = TestApp::spawn().await;
    app.given_stock("GET-1", 9).await;
    app.handle(&created(&[("GET-1", 4)])).await;

    let response = app.get_as("/stock/GET-1", &app.admin_token()).await;
    assert_eq!(response.status, StatusCode::OK);
    let body = response.json();
    assert_eq!(body["sku"], "GET-1");
    assert_eq!(
        (
            body["on_hand"].as_i64(),
            body["reserved"].as_i64(),
            body["available"].as_i64()
        ),
        (Some(9), Some(4), Some(5))
    );
    assert!(body["updated_at"].as_str().is_some());
}

#[tokio::test]
async fn unknown_and_malformed_skus_are_404() {
    let app = TestApp::spawn().await;
    for path in ["/stock/NOPE-2", "/stock/ab", "/stock/%E2%9C%93"] {
        app.get_as(path, &app.admin_token())
            .await
            .assert_error(StatusCode::NOT_FOUND, "NOT_FOUND");
    }
}

#[tokio::test]
async fn users_and_anonymous_callers_are_refused() {
    let app = TestApp::spawn().await;
    app.given_stock("GET-2", 1).await;
    app.get_as("/stock/GET-2", &app.user_token())
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let expired = access_token::JwtKeys::new(crate::helpers::JWT_SECRET.as_bytes(), 0);
    let token = expired
        .issue(uuid::Uuid::new_v4(), "a@b.co", access_token::Role::Admin)
        .0;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    app.get_as("/stock/GET-2", &token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
