//! docs/spec.md#auth: registration, login, refresh rotation with reuse detection, logout, `/me`,
//! the role guard, the login rate limit and the admin CLI.
//!
//! Every test logs in from its own random client IP so the per-IP rate limit of parallel
//! tests never collides; other modules can use [`register_and_login`] the same way.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use api::auth::tokens::AccessClaims;
use api::auth::{AdminOnly, Role};
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Method, Request, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use redis::AsyncCommands;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{send, TestApp, TestResponse, JWT_SECRET};

pub const STRONG_PASSWORD: &str = "Tr1cky-Horse-Battery";

/// A client address no other test uses (10.x.y.z).
pub fn random_ip() -> IpAddr {
    let [a, b, c, _] = rand::random::<[u8; 4]>();
    IpAddr::V4(Ipv4Addr::new(10, a, b, c.max(1)))
}

pub fn unique_email() -> String {
    format!("user-{}@example.com", Uuid::new_v4().simple())
}

/// A JSON request from `ip`.
pub fn request_from(ip: IpAddr, method: Method, path: &str, body: Option<&Value>) -> Request<Body> {
    let mut builder = Request::builder().method(method).uri(path);
    let body = match body {
        Some(body) => {
            builder = builder.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    let mut request = builder.body(body).unwrap();
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(ip, 40000)));
    request
}

fn with_bearer(mut request: Request<Body>, token: &str) -> Request<Body> {
    request.headers_mut().insert(
        header::AUTHORIZATION,
        format!("Bearer {token}").parse().unwrap(),
    );
    request
}

fn with_cookie(mut request: Request<Body>, cookie: &str) -> Request<Body> {
    request
        .headers_mut()
        .insert(header::COOKIE, cookie.parse().unwrap());
    request
}

async fn register(app: &TestApp, email: &str, password: &str, role: &str) -> TestResponse {
    app.send(request_from(
        random_ip(),
        Method::POST,
        "/auth/register",
        Some(&json!({"email": email, "password": password, "role": role})),
    ))
    .await
}

async fn login_from(app: &TestApp, ip: IpAddr, email: &str, password: &str) -> TestResponse {
    app.send(request_from(
        ip,
        Method::POST,
        "/auth/login",
        Some(&json!({"email": email, "password": password})),
    ))
    .await
}

async fn me(app: &TestApp, access_token: &str) -> TestResponse {
    app.send(with_bearer(
        request_from(random_ip(), Method::GET, "/me", None),
        access_token,
    ))
    .await
}

async fn refresh_with_body(app: &TestApp, refresh_token: &str) -> TestResponse {
    app.send(request_from(
        random_ip(),
        Method::POST,
        "/auth/refresh",
        Some(&json!({"refresh_token": refresh_token})),
    ))
    .await
}

/// The `refresh_token=...` pair of a response's `Set-Cookie`.
fn refresh_cookie_pair(response: &TestResponse) -> String {
    let cookie = response.header("set-cookie").expect("Set-Cookie");
    cookie.split(';').next().unwrap().to_owned()
}

/// Registers a fresh account with `role` (admins are inserted straight into the
/// database, as the operator's CLI would) and logs in; returns (access, refresh, user id).
pub async fn register_and_login(app: &TestApp, role: Role) -> (String, String, Uuid) {
    let email = unique_email();
    let hash = api::auth::password::hash(api::auth::password::Password::new(STRONG_PASSWORD))
        .await
        .unwrap();
    let id = Uuid::now_v7();
    sqlx::query("INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(&email)
        .bind(hash)
        .bind(role.as_str())
        .execute(&app.db.pool)
        .await
        .unwrap();
    let response = login_from(app, random_ip(), &email, STRONG_PASSWORD).await;
    assert_eq!(response.status, StatusCode::OK, "{}", response.text());
    let body = response.json();
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"].as_str().unwrap().to_owned(),
        id,
    )
}

#[tokio::test]
async fn register_login_me_refresh_me_logout_then_everything_old_is_refused() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let mixed_case = email.to_uppercase();

    let registered = register(&app, &mixed_case, STRONG_PASSWORD, "user").await;
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

    let login = login_from(&app, random_ip(), &mixed_case, STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    assert_eq!(login.header("cache-control"), Some("no-store"));
    let pair = login.json();
    assert_eq!(pair["access_expires_in"], 900);
    assert_eq!(pair["refresh_expires_in"], 1_209_600);
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    assert_eq!(URL_SAFE_NO_PAD.decode(&refresh).unwrap().len(), 32);
    let cookie = login.header("set-cookie").unwrap().to_owned();
    assert_eq!(
        refresh_cookie_pair(&login),
        format!("refresh_token={refresh}")
    );
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

    let profile = me(&app, &access).await;
    assert_eq!(profile.status, StatusCode::OK, "{}", profile.text());
    assert_eq!(profile.json(), user);

    // Refresh through the cookie, as the browser does.
    let refreshed = app
        .send(with_cookie(
            request_from(random_ip(), Method::POST, "/auth/refresh", None),
            &format!("theme=dark; {}", refresh_cookie_pair(&login)),
        ))
        .await;
    assert_eq!(refreshed.status, StatusCode::OK, "{}", refreshed.text());
    let second = refreshed.json();
    let access2 = second["access_token"].as_str().unwrap().to_owned();
    let refresh2 = second["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh2, refresh);
    assert_ne!(access2, access);
    assert_eq!(
        refresh_cookie_pair(&refreshed),
        format!("refresh_token={refresh2}")
    );
    assert_eq!(me(&app, &access2).await.json(), user);

    let logout = app
        .send(with_cookie(
            with_bearer(
                request_from(random_ip(), Method::POST, "/auth/logout", None),
                &access2,
            ),
            &refresh_cookie_pair(&refreshed),
        ))
        .await;
    assert_eq!(logout.status, StatusCode::NO_CONTENT, "{}", logout.text());
    let cleared = logout.header("set-cookie").unwrap();
    assert!(
        cleared.starts_with("refresh_token=;")
            && cleared.contains("Max-Age=0")
            && cleared.contains("Path=/auth"),
        "{cleared}"
    );

    refresh_with_body(&app, &refresh2)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    me(&app, &access2)
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

#[tokio::test]
async fn every_password_rule_and_the_common_list_reject() {
    let app = TestApp::spawn().await;
    let cases = [
        ("Sh0rt!pass", "at least 12"),
        ("alllowercase-1234", "upper-case"),
        ("ALLUPPERCASE-1234", "lower-case"),
        ("No-Digits-Here-At-All", "digit"),
        ("NoSpecials1234567", "special"),
        ("Password123!", "too common"),
        ("pASSWORD123!", "too common"),
        ("P@ssw0rd1234", "too common"),
        ("Welcome2025!", "too common"),
    ];
    for (password, expected) in cases {
        let response = register(&app, &unique_email(), password, "user").await;
        let error = response.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        let details = error["details"].as_array().unwrap();
        assert!(
            details
                .iter()
                .any(|d| d["field"] == "password"
                    && d["message"].as_str().unwrap().contains(expected)),
            "{password}: {error}"
        );
        assert!(
            !response.text().contains(password),
            "the password is not echoed"
        );
    }
    let too_long = format!("Aa1!{}", "x".repeat(200));
    register(&app, &unique_email(), &too_long, "user")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let own_name = register(&app, "margaret@example.com", "Margaret-2026!x", "user").await;
    let error = own_name.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "password", "{error}");

    let users: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(users, 0, "nothing invalid was stored");
}

#[tokio::test]
async fn registration_rejects_bad_emails_roles_and_shapes() {
    let app = TestApp::spawn().await;
    for email in ["", "plain", "a@b", "a b@example.com", "a@@example.com"] {
        let error = register(&app, email, STRONG_PASSWORD, "user")
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(error["details"][0]["field"], "email", "{email:?}: {error}");
    }
    let both = register(&app, "nope", "weak", "user").await;
    let error = both.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let fields: Vec<&str> = error["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"email") && fields.contains(&"password"),
        "{error}"
    );

    let error = register(&app, &unique_email(), STRONG_PASSWORD, "root")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "role");
    for body in [
        json!({"password": STRONG_PASSWORD}),
        json!({"email": unique_email()}),
        json!({"email": 42, "password": STRONG_PASSWORD}),
    ] {
        app.send(request_from(
            random_ip(),
            Method::POST,
            "/auth/register",
            Some(&body),
        ))
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    }
    let malformed = Request::post("/auth/register")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"email\":"))
        .unwrap();
    app.send(malformed)
        .await
        .assert_error(StatusCode::BAD_REQUEST, "MALFORMED_JSON");

    // Without a role the account is a user.
    let response = app
        .send(request_from(
            random_ip(),
            Method::POST,
            "/auth/register",
            Some(&json!({"email": unique_email(), "password": STRONG_PASSWORD})),
        ))
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["role"], "user");
}

#[tokio::test]
async fn a_taken_email_is_a_generic_409_whatever_its_case() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    assert_eq!(
        register(&app, &email, STRONG_PASSWORD, "user").await.status,
        StatusCode::CREATED
    );
    for again in [email.clone(), email.to_uppercase(), format!("  {email} ")] {
        let response = register(&app, &again, "Another-Pass-123", "user").await;
        let error = response.assert_error(StatusCode::CONFLICT, "EMAIL_UNAVAILABLE");
        assert!(
            !error["message"].as_str().unwrap().contains(&email),
            "{error}"
        );
    }
}

#[tokio::test]
async fn registering_as_admin_needs_the_bootstrap_switch() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    register(&app, &email, STRONG_PASSWORD, "admin")
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0);

    let bootstrap = TestApp::spawn_with(|env| {
        env.push(("ALLOW_ADMIN_BOOTSTRAP".to_owned(), "true".to_owned()));
    })
    .await;
    let response = register(&bootstrap, &email, STRONG_PASSWORD, "admin").await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["role"], "admin");
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_401() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    register(&app, &email, STRONG_PASSWORD, "user").await;
    let ip = random_ip();
    let wrong_password = login_from(&app, ip, &email, "Wrong-Horse-Battery1").await;
    let unknown = login_from(&app, ip, &unique_email(), STRONG_PASSWORD).await;
    let invalid_email = login_from(&app, ip, "not an email", STRONG_PASSWORD).await;
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

    app.send(request_from(
        ip,
        Method::POST,
        "/auth/login",
        Some(&json!({"email": email})),
    ))
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    // A password of the wrong type is refused without being quoted back.
    let numeric = app
        .send(request_from(
            ip,
            Method::POST,
            "/auth/login",
            Some(&json!({"email": email, "password": 987_654_321})),
        ))
        .await;
    let error = numeric.assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "password");
    assert!(!numeric.text().contains("987654321"), "{}", numeric.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_concurrent_refreshes_one_wins_and_reuse_revokes_the_family() {
    let app = TestApp::spawn().await;
    let (_, refresh, _) = register_and_login(&app, Role::User).await;

    let attempts = (0..20).map(|_| {
        let router = app.router.clone();
        let refresh = refresh.clone();
        tokio::spawn(async move {
            send(
                &router,
                request_from(
                    random_ip(),
                    Method::POST,
                    "/auth/refresh",
                    Some(&json!({"refresh_token": refresh})),
                ),
            )
            .await
        })
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

    refresh_with_body(&app, &refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    refresh_with_body(&app, &newest)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    me(&app, &newest_access)
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
    register(&app, &email, STRONG_PASSWORD, "user").await;
    let first = login_from(&app, random_ip(), &email, STRONG_PASSWORD)
        .await
        .json();
    let other_session = login_from(&app, random_ip(), &email, STRONG_PASSWORD)
        .await
        .json();
    let stolen = first["refresh_token"].as_str().unwrap();

    let rotated = refresh_with_body(&app, stolen).await;
    assert_eq!(rotated.status, StatusCode::OK);
    let successor = rotated.json();
    let successor_refresh = successor["refresh_token"].as_str().unwrap();
    let successor_access = successor["access_token"].as_str().unwrap();
    assert_eq!(me(&app, successor_access).await.status, StatusCode::OK);

    // The thief (or the victim) presents the used token: theft is assumed.
    refresh_with_body(&app, stolen)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    refresh_with_body(&app, successor_refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    me(&app, successor_access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    // Another login of the same user is another family and survives.
    let other = refresh_with_body(&app, other_session["refresh_token"].as_str().unwrap()).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
}

#[tokio::test]
async fn refresh_refuses_missing_garbage_unknown_and_expired_tokens() {
    let app = TestApp::spawn().await;
    let (_, refresh, _) = register_and_login(&app, Role::User).await;
    app.send(request_from(
        random_ip(),
        Method::POST,
        "/auth/refresh",
        None,
    ))
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    let unknown = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
    for token in ["garbage", "", &unknown] {
        refresh_with_body(&app, token)
            .await
            .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    }
    app.send(request_from(
        random_ip(),
        Method::POST,
        "/auth/refresh",
        Some(&json!({"token": refresh})),
    ))
    .await
    .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let not_json = Request::post("/auth/refresh")
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from(refresh.clone()))
        .unwrap();
    app.send(not_json)
        .await
        .assert_error(StatusCode::UNSUPPORTED_MEDIA_TYPE, "UNSUPPORTED_MEDIA_TYPE");

    sqlx::query("UPDATE refresh_tokens SET expires_at = now() - interval '1 second'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    refresh_with_body(&app, &refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
}

#[tokio::test]
async fn a_login_lasts_at_most_thirty_days_however_often_it_is_refreshed() {
    let app = TestApp::spawn().await;
    let (_, refresh, _) = register_and_login(&app, Role::User).await;
    // The login happened 29 days and 23 hours ago.
    sqlx::query("UPDATE refresh_tokens SET created_at = now() - interval '29 days 23 hours'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let rotated = refresh_with_body(&app, &refresh).await;
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
    refresh_with_body(&app, &successor)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
}

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
    let (access, _, user_id) = register_and_login(&app, Role::User).await;
    assert_eq!(me(&app, &access).await.status, StatusCode::OK);
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
        me(&app, &denylisted).await.status,
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
        let response = me(&app, token).await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED, "{name}");
        response.assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    }
    app.send(request_from(random_ip(), Method::GET, "/me", None))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let basic = Request::get("/me")
        .header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
        .body(Body::empty())
        .unwrap();
    app.send(basic)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

#[tokio::test]
async fn logout_works_with_either_token_and_needs_one() {
    let app = TestApp::spawn().await;
    app.send(request_from(
        random_ip(),
        Method::POST,
        "/auth/logout",
        None,
    ))
    .await
    .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    // Refresh token in the body only (the access token is already gone).
    let (access, refresh, _) = register_and_login(&app, Role::User).await;
    let response = app
        .send(request_from(
            random_ip(),
            Method::POST,
            "/auth/logout",
            Some(&json!({"refresh_token": refresh})),
        ))
        .await;
    assert_eq!(
        response.status,
        StatusCode::NO_CONTENT,
        "{}",
        response.text()
    );
    refresh_with_body(&app, &refresh)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "INVALID_REFRESH_TOKEN");
    me(&app, &access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");

    // Access token only.
    let (access, _, _) = register_and_login(&app, Role::User).await;
    let response = app
        .send(with_bearer(
            request_from(random_ip(), Method::POST, "/auth/logout", None),
            &access,
        ))
        .await;
    assert_eq!(response.status, StatusCode::NO_CONTENT);
    me(&app, &access)
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
}

#[tokio::test]
async fn the_refresh_cookie_is_secure_in_prod() {
    let app = TestApp::spawn_with(|env| env.push(("ENV".to_owned(), "prod".to_owned()))).await;
    let email = unique_email();
    register(&app, &email, STRONG_PASSWORD, "user").await;
    let login = login_from(&app, random_ip(), &email, STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.text());
    let cookie = login.header("set-cookie").unwrap();
    assert!(
        cookie.contains("; Secure") && cookie.contains("HttpOnly"),
        "{cookie}"
    );
}

/// Sleeps past the end of the minute when fewer than `needed` seconds are left in it, so
/// a burst of attempts lands in one rate-limit window.
async fn within_one_minute(needed: i64) {
    let left = 60 - Utc::now().timestamp().rem_euclid(60);
    if left < needed {
        tokio::time::sleep(Duration::from_secs(u64::try_from(left).unwrap() + 1)).await;
    }
}

#[tokio::test]
async fn the_eleventh_login_in_a_minute_is_429_and_other_ips_are_unaffected() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    register(&app, &email, STRONG_PASSWORD, "user").await;
    let ip = random_ip();
    within_one_minute(20).await;
    for attempt in 1..=10 {
        // Successes, failures and malformed bodies all count.
        let response = match attempt {
            1 => login_from(&app, ip, &email, STRONG_PASSWORD).await,
            2 => {
                app.send(request_from(
                    ip,
                    Method::POST,
                    "/auth/login",
                    Some(&json!({})),
                ))
                .await
            }
            _ => login_from(&app, ip, &email, "Wrong-Horse-Battery1").await,
        };
        assert_ne!(
            response.status,
            StatusCode::TOO_MANY_REQUESTS,
            "attempt {attempt}"
        );
    }
    let limited = login_from(&app, ip, &email, STRONG_PASSWORD).await;
    limited.assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    let retry_after: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    assert!(limited.header("set-cookie").is_none());

    let other = login_from(&app, random_ip(), &email, STRONG_PASSWORD).await;
    assert_eq!(other.status, StatusCode::OK, "{}", other.text());
    let mut redis = app.state.redis.connection().await.unwrap();
    let minute = Utc::now().timestamp().div_euclid(60);
    let count: Option<u64> = redis.get(format!("rl:login:{ip}:{minute}")).await.unwrap();
    assert_eq!(count, Some(11), "the rate-limit key counts every attempt");
    let metrics = app.get("/metrics").await.text();
    for outcome in ["success", "failure", "rate_limited"] {
        assert!(
            metrics.contains(&format!("auth_logins_total{{outcome=\"{outcome}\"}}")),
            "{metrics}"
        );
    }
}

#[tokio::test]
async fn forwarded_for_is_believed_only_from_trusted_proxies() {
    let proxy = random_ip();
    let app = TestApp::spawn_with(|env| {
        env.push(("TRUSTED_PROXIES".to_owned(), proxy.to_string()));
    })
    .await;
    let email = unique_email();
    register(&app, &email, STRONG_PASSWORD, "user").await;
    let attempt = |peer: IpAddr, forwarded: String| {
        let mut request = request_from(
            peer,
            Method::POST,
            "/auth/login",
            Some(&json!({"email": email, "password": "Wrong-Horse-Battery1"})),
        );
        request
            .headers_mut()
            .insert("x-forwarded-for", forwarded.parse().unwrap());
        request
    };
    within_one_minute(20).await;

    // Behind the trusted proxy, each forwarded client has its own budget, whatever the
    // client wrote to the left of the proxy's entry.
    let client_a = random_ip();
    for n in 0..10 {
        let response = app
            .send(attempt(proxy, format!("192.0.2.{n}, {client_a}")))
            .await;
        assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    }
    app.send(attempt(proxy, format!("{client_a}")))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
    assert_eq!(
        app.send(attempt(proxy, random_ip().to_string()))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );

    // An untrusted peer cannot pick an identity with the header.
    let direct = random_ip();
    for _ in 0..10 {
        app.send(attempt(direct, random_ip().to_string())).await;
    }
    app.send(attempt(direct, random_ip().to_string()))
        .await
        .assert_error(StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED");
}

#[tokio::test]
async fn require_role_admits_only_the_role() {
    let app = TestApp::spawn().await;
    let routes = Router::new().route(
        "/admin-probe",
        get(|guard: AdminOnly| async move { Json(json!({"id": guard.0.id})) }),
    );
    let router = api::with_middleware(routes, app.state.clone());
    let probe = |token: Option<&str>| {
        let request = Request::get("/admin-probe").body(Body::empty()).unwrap();
        match token {
            Some(token) => with_bearer(request, token),
            None => request,
        }
    };
    send(&router, probe(None))
        .await
        .assert_error(StatusCode::UNAUTHORIZED, "UNAUTHORIZED");
    let (user_access, _, _) = register_and_login(&app, Role::User).await;
    send(&router, probe(Some(&user_access)))
        .await
        .assert_error(StatusCode::FORBIDDEN, "FORBIDDEN");
    let (admin_access, _, admin_id) = register_and_login(&app, Role::Admin).await;
    let allowed = send(&router, probe(Some(&admin_access))).await;
    assert_eq!(allowed.status, StatusCode::OK);
    assert_eq!(allowed.json()["id"], admin_id.to_string());
}

fn admin_cli(
    database_url: &str,
    args: &[&str],
    password: Option<&str>,
    stdin: Option<&str>,
) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_api"));
    command
        .env_clear()
        .env("DATABASE_URL", database_url)
        .args(["admin", "create"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(password) = password {
        command.env("ADMIN_PASSWORD", password);
    }
    let mut child = command.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_admin_cli_creates_an_admin_idempotently_without_argv_passwords() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    let created = admin_cli(
        &app.db.url,
        &["--email", &email],
        Some(STRONG_PASSWORD),
        None,
    );
    assert!(created.status.success(), "{created:?}");
    let stdout = String::from_utf8_lossy(&created.stdout);
    assert!(stdout.contains("created admin"), "{stdout}");
    assert!(!stdout.contains(STRONG_PASSWORD));
    let hash_before: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
            .bind(&email)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();

    let again = admin_cli(
        &app.db.url,
        &["--email", &email],
        Some("Different-Pass-456"),
        None,
    );
    assert!(again.status.success(), "{again:?}");
    assert!(String::from_utf8_lossy(&again.stdout).contains("already exists"));
    let hash_after: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE email = $1")
        .bind(&email)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(hash_before, hash_after, "the password is left unchanged");

    let login = login_from(&app, random_ip(), &email, STRONG_PASSWORD).await;
    assert_eq!(login.status, StatusCode::OK);
    let claims = app
        .state
        .jwt
        .verify(login.json()["access_token"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.role, Role::Admin);

    // From stdin, as a user.
    let other = unique_email();
    let from_stdin = admin_cli(
        &app.db.url,
        &["--email", &other, "--role", "user"],
        None,
        Some("Stdin-Pass-7890!\n"),
    );
    assert!(from_stdin.status.success(), "{from_stdin:?}");
    assert_eq!(
        login_from(&app, random_ip(), &other, "Stdin-Pass-7890!")
            .await
            .status,
        StatusCode::OK
    );
    // An existing user is never promoted silently.
    let promote = admin_cli(
        &app.db.url,
        &["--email", &other],
        Some(STRONG_PASSWORD),
        None,
    );
    assert_eq!(promote.status.code(), Some(1), "{promote:?}");

    let weak = admin_cli(
        &app.db.url,
        &["--email", &unique_email()],
        Some("password123"),
        None,
    );
    assert_eq!(weak.status.code(), Some(2), "{weak:?}");
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    let bad_email = admin_cli(
        &app.db.url,
        &["--email", "nope"],
        Some(STRONG_PASSWORD),
        None,
    );
    assert_eq!(bad_email.status.code(), Some(2));
    let no_password = admin_cli(&app.db.url, &["--email", &unique_email()], None, Some(""));
    assert_eq!(no_password.status.code(), Some(2));
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 exchange with the real binary: (status, headers, body).
fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&Value>,
) -> (u16, String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    if !body.is_empty() {
        request.push_str("Content-Type: application/json\r\n");
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, head.to_owned(), body.to_owned())
}

#[tokio::test]
async fn logs_of_a_full_flow_contain_no_password_or_token() {
    let db = testkit::TestDb::migrated().await;
    let port = free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .envs(crate::helpers::test_env(&db.url))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "api did not start");
        std::thread::sleep(Duration::from_millis(100));
    }

    let email = unique_email();
    let password = format!("Secret-{}-Pw1!", Uuid::new_v4().simple());
    let wrong_password = format!("Wrong-{}-Pw1!", Uuid::new_v4().simple());
    let credentials = json!({"email": email, "password": password});
    let (status, _, body) = http(port, "POST", "/auth/register", &[], Some(&credentials));
    assert_eq!(status, 201, "{body}");
    let (status, _, _) = http(port, "POST", "/auth/register", &[], Some(&credentials));
    assert_eq!(status, 409);
    let weak = json!({"email": unique_email(), "password": wrong_password.to_lowercase()});
    assert_eq!(
        http(port, "POST", "/auth/register", &[], Some(&weak)).0,
        422
    );
    let wrong = json!({"email": email, "password": wrong_password});
    assert_eq!(http(port, "POST", "/auth/login", &[], Some(&wrong)).0, 401);
    let (status, _, body) = http(port, "POST", "/auth/login", &[], Some(&credentials));
    assert_eq!(status, 200, "{body}");
    let pair: Value = serde_json::from_str(&body).unwrap();
    let access = pair["access_token"].as_str().unwrap().to_owned();
    let refresh = pair["refresh_token"].as_str().unwrap().to_owned();
    let bearer = format!("Bearer {access}");
    assert_eq!(
        http(port, "GET", "/me", &[("Authorization", &bearer)], None).0,
        200
    );
    let cookie = format!("refresh_token={refresh}");
    let (status, _, body) = http(port, "POST", "/auth/refresh", &[("Cookie", &cookie)], None);
    assert_eq!(status, 200, "{body}");
    let second: Value = serde_json::from_str(&body).unwrap();
    let access2 = second["access_token"].as_str().unwrap().to_owned();
    let refresh2 = second["refresh_token"].as_str().unwrap().to_owned();
    // Reuse of the first token (theft path) and a logout with both tokens.
    let reuse = json!({"refresh_token": refresh});
    assert_eq!(
        http(port, "POST", "/auth/refresh", &[], Some(&reuse)).0,
        401
    );
    let bearer2 = format!("Bearer {access2}");
    let cookie2 = format!("refresh_token={refresh2}");
    assert_eq!(
        http(
            port,
            "POST",
            "/auth/logout",
            &[("Authorization", &bearer2), ("Cookie", &cookie2)],
            None
        )
        .0,
        204
    );
    assert_eq!(
        http(port, "GET", "/me", &[("Authorization", &bearer2)], None).0,
        401
    );

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let output = {
        let deadline = Instant::now() + Duration::from_secs(10);
        while child.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "api did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    let logs = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        logs.contains("login succeeded"),
        "the handlers' logs were captured: {logs}"
    );
    assert!(logs.contains("refresh token reused"), "{logs}");
    assert!(logs.lines().count() > 20, "debug logs were on: {logs}");
    let hash = |token: &str| hex::encode(Sha256::digest(token.as_bytes()));
    let jwt_signature = |token: &str| token.rsplit('.').next().unwrap().to_owned();
    for (name, secret) in [
        ("password", password.clone()),
        ("wrong password", wrong_password.clone()),
        ("access token", access.clone()),
        ("access token signature", jwt_signature(&access)),
        ("second access token", access2.clone()),
        ("refresh token", refresh.clone()),
        ("refresh token hash", hash(&refresh)),
        ("second refresh token", refresh2.clone()),
        ("second refresh token hash", hash(&refresh2)),
        ("JWT secret", JWT_SECRET.to_owned()),
    ] {
        assert!(!logs.contains(&secret), "the {name} appears in the logs");
    }
}
