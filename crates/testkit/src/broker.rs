//! A Kafka-protocol broker (nisshi) of the test's own, never the shared one, with SQLite
//! storage in a temp directory so that its data survives a stop and start on the same
//! port. `NISSHI_BIN` overrides where the binary is.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::process::{binary, Launch, ServerProcess};

struct Nisshi;

impl Launch for Nisshi {
    const WHAT: &'static str = "own broker (nisshi; set NISSHI_BIN if it is elsewhere)";
    const START_TIMEOUT: Duration = Duration::from_secs(20);

    fn command(port: u16, dir: &Path) -> Command {
        let url = format!("tcp://127.0.0.1:{port}");
        let mut command = Command::new(binary("NISSHI_BIN", ".cache/orderflow/nisshi/bin/nisshi"));
        command
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
            .current_dir(dir);
        command
    }
}

/// `nisshi broker` on a free port of 127.0.0.1.
pub struct Broker(ServerProcess<Nisshi>);

impl Broker {
    pub fn start() -> Self {
        Self(ServerProcess::start("broker"))
    }

    pub fn port(&self) -> u16 {
        self.0.port()
    }

    /// `127.0.0.1:<port>`, for `bootstrap.servers` / `KAFKA_BROKERS`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port())
    }

    /// Kills it at once, as a crash would; what it stored survives.
    pub fn kill(&mut self) {
        self.0.kill();
    }

    /// Stops it gracefully (SIGTERM).
    pub fn stop(&mut self) {
        self.0.stop();
    }

    /// Starts it again on the same port and storage.
    pub fn restart(&mut self) {
        self.0.restart();
    }

    pub fn is_running(&mut self) -> bool {
        self.0.is_running()
    }
}
