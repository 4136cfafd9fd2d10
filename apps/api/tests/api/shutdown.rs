//! The real binary: serves on its address, logs JSON with request ids, and stops
//! gracefully on SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use uuid::Uuid;

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[tokio::test]
async fn the_binary_serves_and_shuts_down_gracefully_on_sigterm() {
    let db = testkit::TestDb::migrated().await;
    let port = testkit::free_port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_api"))
        .env_clear()
        .envs(crate::helpers::test_env(&db.url))
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let response = loop {
        if let Some(response) = http_get(port, "/metrics") {
            break response;
        }
        assert!(Instant::now() < deadline, "api did not start");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "api did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status:?}");

    let mut logs = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).expect("every log line is JSON"))
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l["fields"]["message"] == "api stopped"),
        "{logs}"
    );
    assert!(
        lines.iter().any(|l| l["span"]["request_id"]
            .as_str()
            .is_some_and(|id| Uuid::parse_str(id).is_ok())),
        "request logs carry the request id: {logs}"
    );
}
