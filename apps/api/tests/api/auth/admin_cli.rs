//! `api admin create`: the operator's way to create an admin, idempotent, with the password
//! from the environment or stdin, never from argv.

use std::io::Write;
use std::process::{Command, Stdio};

use api::auth::Role;
use axum::http::StatusCode;

use crate::helpers::{unique_email, TestApp, STRONG_PASSWORD};

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

    let login = app.login(&email, STRONG_PASSWORD).await;
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
        app.login(&other, "Stdin-Pass-7890!").await.status,
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
