//! `POST /auth/logout`: either token is enough, one is needed.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{random_ip, TestApp};

#[tokio::test]
async fn logout_works_with_either_token_and_needs_one() {
    let app = TestApp::spawn().await;
    app.request(Method::POST, "/auth/logout")
        .client_ip(random_ip())
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    // Refresh token in the body only (the access token is already gone).
    let user = app.user().await;
    let response = app
        .request(Method::POST, "/auth/logout")
        .client_ip(random_ip())
        .json(&json!({"refresh_token": user.refresh_token}))
        .send()
        .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{}",
        response.text()
    );
    app.refresh(&user.refresh_token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    app.me(&user.access_token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    // Access token only.
    let user = app.user().await;
    let response = app
        .request(Method::POST, "/auth/logout")
        .client_ip(random_ip())
        .bearer(&user.access_token)
        .send()
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    app.me(&user.access_token)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
