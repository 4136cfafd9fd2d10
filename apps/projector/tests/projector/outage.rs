use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use mongodb::bson::{doc, Document};

use crate::helpers::*;

/// A MongoDB (SecantusDB) of this test's own, never the shared one; its storage lives in a
/// temp directory so that data survives a kill and restart on the same port.
struct OwnMongo {
    dir: PathBuf,
    port: u16,
    child: Option<Child>,
}

impl OwnMongo {
    fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let dir = std::env::temp_dir().join(testkit::unique_name("projector-mongo"));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut mongo = Self {
            dir,
            port,
            child: None,
        };
        mongo.resume();
        mongo
    }

    /// Short server selection so that writes fail fast while it is down.
    fn url(&self, database: &str) -> String {
        format!(
            "mongodb://127.0.0.1:{}/{database}?directConnection=true&serverSelectionTimeoutMS=1000&heartbeatFrequencyMS=500",
            self.port
        )
    }

    fn resume(&mut self) {
        let binary = std::env::var("SECANTUSD_BIN").unwrap_or_else(|_| {
            format!(
                "{}/.cache/orderflow/secantus-venv/bin/secantusd-py",
                std::env::var("HOME").unwrap()
            )
        });
        let child = Command::new(binary)
            .args(["--host", "127.0.0.1", "--port", &self.port.to_string()])
            .arg("--storage-path")
            .arg(self.dir.join("data"))
            // Acknowledged writes must survive the kill below.
            .arg("--sync-on-commit")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("secantusd-py starts (set SECANTUSD_BIN if it is elsewhere)");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(Instant::now() < deadline, "own MongoDB did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for OwnMongo {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn mongodb_down_means_no_commit_and_the_event_is_written_once_it_is_back() {
    let metrics = platform::telemetry::prometheus();
    let mut mongo = OwnMongo::start();
    let setup = Setup::new().await;
    let mut config = setup.config();
    config.mongodb_url = mongo.url(&setup.database);
    let running = Running::start(config).await;

    let first = order_created();
    setup
        .produce(&setup.events_topic, "k", first.to_json().as_bytes())
        .await;
    eventually(Duration::from_secs(30), "first event committed", || async {
        setup.committed(&setup.events_topic) == 1
    })
    .await;

    mongo.stop();
    let second = order_created();
    setup
        .produce(&setup.events_topic, "k", second.to_json().as_bytes())
        .await;
    eventually(
        Duration::from_secs(30),
        "a failed insert was retried",
        || async {
            metrics
                .render()
                .contains("projector_retries_total{operation=\"insert order events\"}")
        },
    )
    .await;
    assert_eq!(
        setup.committed(&setup.events_topic),
        1,
        "nothing is committed while MongoDB is down"
    );

    mongo.resume();
    eventually(
        Duration::from_secs(60),
        "second event committed",
        || async { setup.committed(&setup.events_topic) == 2 },
    )
    .await;
    running.stop().await;

    let client = mongodb::Client::with_uri_str(mongo.url(&setup.database))
        .await
        .unwrap();
    let collection = client
        .database(&setup.database)
        .collection::<Document>(read_model::order_events::COLLECTION);
    for envelope in [&first, &second] {
        let count = collection
            .count_documents(doc! {"event_id": envelope.event_id.to_string()})
            .await
            .unwrap();
        assert_eq!(count, 1, "{}", envelope.event_id);
    }
}
