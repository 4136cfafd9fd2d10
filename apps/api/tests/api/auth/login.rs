//! `POST /auth/login`: one answer for every wrong credential; the refresh cookie.

use axum::http::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{random_ip, unique_email, TestApp, STRONG_PASSWORD};

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_401() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.register(&email, STRONG_PASSWORD, "user").await;
    let ip = random_ip();
    let wrong_password = app.login_from(ip, &email, "Wrong-Horse-Battery1").await;
    let unknown = app.login_from(ip, &unique_email(), STRONG_PASSWORD).await;
    let invalid_email = app.login_from(ip, "not an email", STRONG_PASSWORD).await;
    let mut messages = Vec::new();
    for response in [&wrong_password, &unknown, &invalid_email] {
        let error = response.assert_error(StatusCode::UNAUTHORIZED, "INVALID_CREDENTIALS");
        messages.push(error["message"].clone());
        assert!(response.header("set-cookie").is_none());
    }
    assert!(
        messages.windows(2).all(|pair| pair[0] == pair[1]),
        "{messages:?}"
    );

    app.request(Method::POST, "/auth/login")
        .client_ip(ip)
        .json(&json!({"email": email}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    // A password of the wrong type is refused without being quoted back.
    let numeric = app
        .request(Method::POST, "/auth/login")
        .client_ip(ip)
        .json(&json!({"email": email, "password": 987_654_321}))
        .send()
        .await;
    let error = numeric.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "password");
    assert!(!numeric.text().contains("987654321"), "{}", numeric.text());
}

#[tokio::test]
async fn the_refresh_cookie_is_secure_in_prod() {
    let app = TestApp::spawn_with(|env| env.push(("ENV".to_owned(), "prod".to_owned()))).await;
    let email = unique_email();
    app.register(&email, STRONG_PASSWORD, "user").await;
    let login = app.login(&email, STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    let cookie = login.header("set-cookie").unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}
