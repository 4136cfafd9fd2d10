//! `POST /auth/refresh`: one rotation per token, reuse revokes the family, and a login
//! ends after 30 days however often it is refreshed.

use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde_json::json;

use crate::helpers::{random_ip, send, unique_email, TestApp, TestResponse, STRONG_PASSWORD};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_refreshes_one_wins_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let refresh = app.user().await.refresh_token;

    let attempts = (0..20).map(|_| {
        let router = app.router.clone();
        let request = app
            .request(Method::POST, "/auth/refresh")
            .client_ip(random_ip())
            .json(&json!({"refresh_token": refresh}))
            .build();
        tokio::spawn(async move { send(&router, request).await })
    });
    let responses: Vec<TestResponse> = futures::future::join_all(attempts)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();
    let winners: Vec<&TestResponse> = responses
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .collect();
    assert_eq!(winners.len(), 1, "exactly one rotation succeeds");
    for loser in responses.iter().filter(|r| r.status != StatusCode::OK) {
        loser.assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    }
    let newest = winners[0].json()["refresh_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let newest_access = winners[0].json()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    app.refresh(&refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    app.refresh(&newest)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    app.me(&newest_access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let live: i64 =
        sqlx::query_scalar("SELECT count(*) FROM refresh_tokens WHERE revoked_at IS NULL")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(live, 0, "the whole family is revoked");
}

#[tokio::test]
async fn reusing_a_rotated_token_revokes_its_successor_and_spares_other_sessions() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    app.register(&email, STRONG_PASSWORD, "user").await;
    let first = app.login(&email, STRONG_PASSWORD).await.json();
    let other_session = app.login(&email, STRONG_PASSWORD).await.json();
    let stolen = first["refresh_token"].as_str().unwrap();

    let rotated = app.refresh(stolen).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let successor = rotated.json();
    let successor_refresh = successor["refresh_token"].as_str().unwrap();
    let successor_access = successor["access_token"].as_str().unwrap();
    assert_eq!(app.me(successor_access).await.status, StatusCode::OK);

    // The thief (or the victim) presents the used token: theft is assumed.
    app.refresh(stolen)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    app.refresh(successor_refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    app.me(successor_access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    // Another login of the same user is another family and survives.
    let other = app
        .refresh(other_session["refresh_token"].as_str().unwrap())
        .await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
}

#[tokio::test]
async fn refresh_refuses_missing_garbage_unknown_and_expired_tokens() {
    let app = TestApp::spawn().await;
    let refresh = app.user().await.refresh_token;
    app.request(Method::POST, "/auth/refresh")
        .client_ip(random_ip())
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    let unknown = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    for token in ["garbage", "", &unknown] {
        app.refresh(token)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    }
    app.request(Method::POST, "/auth/refresh")
        .client_ip(random_ip())
        .json(&json!({"token": refresh}))
        .send()
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    app.request(Method::POST, "/auth/refresh")
        .body(Some("text/plain"), &refresh)
        .send()
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");

    sqlx::query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.refresh(&refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
}

#[tokio::test]
async fn a_login_lasts_at_most_thirty_days_however_often_it_is_refreshed() {
    let app = TestApp::spawn().await;
    let refresh = app.user().await.refresh_token;
    // The login happened 29 days and 23 hours ago.
    sqlx::query("UPDATE refresh_tokens SET created_at = now() - interval '29 days 23 hours'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let rotated = app.refresh(&refresh).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.text());
    let left = rotated.json()["refresh_expires_in"].as_u64().unwrap();
    assert!(
        (3500..=3600).contains(&left),
        "capped at the session limit: {left}"
    );
    assert!(rotated
        .header("set-cookie")
        .unwrap()
        .contains(&format!("Max-Age={left}")));

    // Past the limit the rotation is refused, however fresh the token itself.
    let successor = rotated.json()["refresh_token"].as_str().unwrap().to_owned();
    sqlx::query("UPDATE refresh_tokens SET created_at = now() - interval '31 days'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    app.refresh(&successor)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
}
