//! Access tokens at `GET /me`: only an unexpired HS256 token signed with our key, not
//! denylisted, is accepted.

use api::auth::tokens::AccessClaims;
use axum::http::{Method, StatusCode};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use redis::AsyncCommands;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{TestApp, JWT_SECRET};

fn sign(claims: &Value, secret: &[u8]) -> String {
    encode(
        &Header::new(Algorithm::HS256),
        claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

#[tokio::test]
async fn tampered_none_wrong_key_expired_and_denylisted_tokens_are_401() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let (access, user_id) = (user.access_token, user.id);
    assert_eq!(app.me(&access).await.status, StatusCode::OK);
    let claims: AccessClaims = app.state.jwt.verify(&access).unwrap();
    let now = Utc::now().timestamp();
    let claims_json = |iat: i64, exp: i64, role: &str| json!({"sub": user_id, "email": claims.email, "role": role, "iat": iat, "exp": exp, "jti": Uuid::new_v4()});

    let parts: Vec<&str> = access.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(claims_json(now, now + 900, "admin").to_string());
    let tampered = format!("{}.{forged_payload}.{}", parts[0], parts[2]);
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let alg_none = format!("{none_header}.{forged_payload}.");
    let wrong_key = sign(
        &claims_json(now, now + 900, "user"),
        b"another-secret-another-secret-another!",
    );
    let expired = sign(
        &claims_json(now - 1000, now - 100, "user"),
        JWT_SECRET.as_bytes(),
    );
    let denylisted_claims = claims_json(now, now + 900, "user");
    let denylisted = sign(&denylisted_claims, JWT_SECRET.as_bytes());
    assert_eq!(
        app.me(&denylisted).await.status,
        StatusCode::OK,
        "valid until denylisted"
    );
    let mut redis = app.state.redis.connection().await.unwrap();
    let () = redis
        .set_ex(
            format!("denylist:{}", denylisted_claims["jti"].as_str().unwrap()),
            1,
            60,
        )
        .await
        .unwrap();

    for (name, token) in [
        ("tampered", tampered.as_str()),
        ("alg none", alg_none.as_str()),
        ("wrong key", wrong_key.as_str()),
        ("expired", expired.as_str()),
        ("denylisted", denylisted.as_str()),
        ("garbage", "not-a-jwt"),
    ] {
        let response = app.me(token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{name}");
        response.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
    app.request(Method::GET, "/me")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    app.request(Method::GET, "/me")
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}
