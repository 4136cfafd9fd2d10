use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use testkit::TestDb;
use uuid::Uuid;

use crate::helpers::*;

/// A broker of this test's own (never the shared one), with SQLite storage in a temp
/// directory so that its data survives a stop and start on the same port.
struct OwnBroker {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl OwnBroker {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(testkit::unique_name("outbox-broker"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut broker = Self {
            dir,
            port,
            child: None,
        };
        broker.resume();
        broker
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn resume(&mut self) {
        let binary = std::env::var("NISSHI_BIN").unwrap_or_else(|_| {
            format!(
                "{}/.cache/orderflow/nisshi/bin/nisshi",
                std::env::var("HOME").unwrap()
            )
        });
        let url = format!("tcp://{}", self.address());
        let child = Command::new(binary)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            // The engine resolves SQLite paths against the working directory.
            .args(["--storage-engine", "sqlite://broker.db"])
            .env("GROUP_INITIAL_REBALANCE_DELAY", "0s")
            .current_dir(&self.dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nisshi starts (set NISSHI_BIN if it is elsewhere)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(self.address()).is_err() {
            assert!(Instant::now() < deadline, "own broker did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn broker_down_records_attempts_and_publishes_everything_once_it_is_back() {
    let db = TestDb::migrated().await;
    let mut broker = OwnBroker::start();
    let address = broker.address();
    let topics = Topics::create(&address).await;
    broker.stop();

    let orders: Vec<Uuid> = (0..5).map(|_| Uuid::new_v4()).collect();
    let envelopes = insert_events(&db.pool, &orders, 3).await;
    let running = Running::start(config(
        &db.url,
        &address,
        &topics,
        &[
            ("OUTBOX_MAX_ATTEMPTS", "1000"),
            ("OUTBOX_BACKOFF_UNIT_MS", "50"),
            ("OUTBOX_BACKOFF_MAX_MS", "500"),
            ("KAFKA_MESSAGE_TIMEOUT_MS", "1000"),
        ],
    ));
    eventually(Duration::from_secs(60), "every first event failed twice", || async {
        let min_attempts: Option<i32> = sqlx::query_scalar(
            "SELECT min(publish_attempts) FROM outbox_events WHERE payload_json->>'trace_id' = 'seq-0'",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        min_attempts >= Some(2)
    })
    .await;

    let rows: Vec<(String, i32, Option<String>, bool, bool, bool)> = sqlx::query_as(
        "SELECT payload_json->>'trace_id', publish_attempts, last_error,
                published_at IS NOT NULL, next_attempt_at IS NOT NULL, dead_at IS NOT NULL
         FROM outbox_events",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    for (seq, attempts, last_error, published, backoff_set, dead) in rows {
        assert!(
            !published && !dead,
            "nothing is marked published or dead while down"
        );
        if seq == "seq-0" {
            assert!(attempts >= 2 && backoff_set, "{seq}: {attempts}");
            assert!(last_error.is_some_and(|e| !e.is_empty()));
        } else {
            // Later events of an order wait behind its first one: never attempted.
            assert_eq!(
                (attempts, last_error, backoff_set),
                (0, None, false),
                "{seq}"
            );
        }
    }

    broker.resume();
    eventually(Duration::from_secs(90), "everything published", || async {
        pending_count(&db.pool).await == 0
    })
    .await;
    running.stop().await;
    let consumed = consume_all(
        &address,
        &topics.events,
        envelopes.len() + 1,
        Duration::from_secs(20),
    );
    assert_exactly_once_in_order(&envelopes, &consumed);
}
