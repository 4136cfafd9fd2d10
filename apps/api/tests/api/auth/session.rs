//! The whole session of docs/spec.md#auth as a browser lives it: register, log in, `/me`, refresh
//! through the cookie, log out, and then every old token is refused.

use api::auth::Role;
use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::Algorithm;
use redis::AsyncCommands;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{random_ip, unique_email, TestApp, STRONG_PASSWORD};

#[tokio::test]
async fn register_login_me_refresh_me_logout_then_everything_old_is_refused() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let mixed_case = email.to_uppercase();

    let registered = app.register(&mixed_case, STRONG_PASSWORD, "user").await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text()
    );
    let user = registered.json();
    assert_eq!(user["email"], email, "stored lower-cased");
    assert_eq!(user["role"], "user");
    assert!(Uuid::parse_str(user["id"].as_str().unwrap()).is_ok());
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(user.get("password_hash").is_none() && user.get("password").is_none());
    let stored: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );

    let login = app.login(&mixed_case, STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let pair = login.json();
    assert_eq!(pair["access_expires_in"], 900);
    assert_eq!(pair["refresh_expires_in"], 1_209_600);
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(URL_SAFE_NO_PAD.decode(&refresh).unwrap().len(), 32);
    let cookie = login.header("set-cookie").unwrap().to_owned();
    assert_eq!(login.set_cookie_pair(), format!("refresh_token={refresh}"));
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/auth", "Max-Age=1209600"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
    assert!(
        !cookie.contains("Secure"),
        "no Secure outside prod: {cookie}"
    );

    let claims = app.state.jwt.verify(&access).unwrap();
    assert_eq!(claims.email, email);
    assert_eq!(claims.role, Role::User);
    assert_eq!(claims.exp - claims.iat, 900);
    let header = jsonwebtoken::decode_header(&access).unwrap();
    assert_eq!(header.alg, Algorithm::HS256);

    // Only the SHA-256 of the refresh token is stored.
    let stored_hashes: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM refresh_tokens")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        stored_hashes,
        [hex::encode(Sha256::digest(refresh.as_bytes()))]
    );

    let profile = app.me(&access).await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.text());
    assert_eq!(profile.json(), user);

    // Refresh through the cookie, as the browser does.
    let refreshed = app
        .refresh_with_cookie(&format!("theme=dark; {}", login.set_cookie_pair()))
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let second = refreshed.json();
    let access2 = second["access_token"].as_str().unwrap().to_owned();
    let refresh2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);
    assert_ne!(access2, access);
    assert_eq!(
        refreshed.set_cookie_pair(),
        format!("refresh_token={refresh2}")
    );
    assert_eq!(app.me(&access2).await.json(), user);

    let logout = app
        .request(Method::POST, "/auth/logout")
        .client_ip(random_ip())
        .bearer(&access2)
        .cookie(&refreshed.set_cookie_pair())
        .send()
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT, "{}", logout.text());
    let cleared = logout.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with("refresh_token=;")
            && cleared.contains("Max-Age=0")
            && cleared.contains("Path=/auth"),
        "{cleared}"
    );

    app.refresh(&refresh2)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    app.me(&access2)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let mut redis = app.state.redis.connection().await.unwrap();
    let claims2 = app.state.jwt.verify(&access2).unwrap();
    let ttl: i64 = redis
        .ttl(format!("denylist:{}", claims2.jti))
        .await
        .unwrap();
    assert!(
        (1..=901).contains(&ttl),
        "denylisted until the token's exp, ttl {ttl}"
    );
}
