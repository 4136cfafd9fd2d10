//! `POST /auth/register`: the password policy, emails, roles and body shapes.

use axum::http::Method;
use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{unique_email, TestApp, STRONG_PASSWORD};

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
        let response = app.register(&unique_email(), password, "user").await;
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
    app.register(&unique_email(), &too_long, "user")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    let own_name = app
        .register("margaret@example.com", "Margaret-2026!x", "user")
        .await;
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
        let error = app
            .register(email, STRONG_PASSWORD, "user")
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
        assert_eq!(error["details"][0]["field"], "email", "{email:?}: {error}");
    }
    let both = app.register("nope", "weak", "user").await;
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

    let error = app
        .register(&unique_email(), STRONG_PASSWORD, "root")
        .await
        .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    assert_eq!(error["details"][0]["field"], "role");
    for body in [
        json!({"password": STRONG_PASSWORD}),
        json!({"email": unique_email()}),
        json!({"email": 42, "password": STRONG_PASSWORD}),
    ] {
        app.post("/auth/register", &body)
            .await
            .assert_error(StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED");
    }
    app.request(Method::POST, "/auth/register")
        .json_text("{\"email\":")
        .send()
        .await
        .assert_error(StatusCode::BAD_REQUEST, "MALFORMED_JSON");

    // Without a role the account is a user.
    let response = app
        .post(
            "/auth/register",
            &json!({"email": unique_email(), "password": STRONG_PASSWORD}),
        )
        .await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["role"], "user");
}

#[tokio::test]
async fn a_taken_email_is_a_generic_409_whatever_its_case() {
    let app = TestApp::spawn().await;
    let email = unique_email();
    assert_eq!(
        app.register(&email, STRONG_PASSWORD, "user").await.status,
        StatusCode::CREATED
    );
    for again in [email.clone(), email.to_uppercase(), format!("  {email} ")] {
        let response = app.register(&again, "Another-Pass-123", "user").await;
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
    app.register(&email, STRONG_PASSWORD, "admin")
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
    let response = bootstrap.register(&email, STRONG_PASSWORD, "admin").await;
    assert_eq!(response.status, StatusCode::CREATED, "{}", response.text());
    assert_eq!(response.json()["role"], "admin");
}
