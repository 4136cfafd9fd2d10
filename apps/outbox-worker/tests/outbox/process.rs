//! The `outbox-worker` binary: configuration errors, `/metrics`, graceful SIGTERM.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use testkit::TestDb;
use uuid::Uuid;

use crate::helpers::*;

#[test]
fn refuses_to_start_without_configuration_and_names_the_variable() {
    let output = Command::new(env!("CARGO_BIN_EXE_outbox-worker"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("DATABASE_URL"));

    let output = Command::new(env!("CARGO_BIN_EXE_outbox-worker"))
        .env_clear()
        .env("DATABASE_URL", "postgres://127.0.0.1/x")
        .env("KAFKA_BROKERS", "127.0.0.1:9092")
        .env("OUTBOX_BATCH_SIZE", "0")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("OUTBOX_BATCH_SIZE"));
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: localhost\r\n\r\n").ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

#[tokio::test]
async fn publishes_serves_metrics_and_stops_on_sigterm() {
    let db = TestDb::migrated().await;
    let brokers = brokers();
    let topics = Topics::create(&brokers).await;
    let envelopes = insert_events(&db.pool, &[Uuid::new_v4()], 2).await;
    let port = testkit::free_port();
    // Only what is set here: a shell with the stack's env loaded (EXTRA_OUTBOXES, …) must
    // not add the stack's outboxes to this throwaway worker.
    let mut child = Command::new(env!("CARGO_BIN_EXE_outbox-worker"))
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("KAFKA_BROKERS", &brokers)
        .env("ORDERS_EVENTS_TOPIC", &topics.events)
        .env("DLQ_TOPIC", &topics.dlq)
        .env("OUTBOX_POLL_INTERVAL_MS", "100")
        .env("METRICS_ADDR", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually(Duration::from_secs(30), "rows published", || async {
        pending_count(&db.pool).await == 0
    })
    .await;
    let metrics = http_get(port, "/metrics").expect("metrics served");
    assert!(metrics.starts_with("HTTP/1.0 200") || metrics.starts_with("HTTP/1.1 200"));
    assert!(metrics.contains("outbox_published_total"), "{metrics}");
    assert!(http_get(port, "/healthz").is_some_and(|r| r.contains(" 200 ")));

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "worker did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let consumed = consume_all(&brokers, &topics.events, 2, Duration::from_secs(20));
    assert_exactly_once_in_order(&envelopes, &consumed);
}
