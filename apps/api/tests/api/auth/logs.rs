//! The real binary's logs of a whole session, at debug level, contain no password, token
//! or token hash.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{unique_email, JWT_SECRET};

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
    let port = testkit::free_port();
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
