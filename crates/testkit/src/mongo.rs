//! A MongoDB-protocol server (SecantusDB) of the test's own, never the shared one; its
//! storage lives in a temp directory so that data survives a kill and restart on the
//! same port. `SECANTUSD_BIN` overrides where the binary is.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::process::{binary, Launch, ServerProcess};

struct Secantus;

impl Launch for Secantus {
    const WHAT: &'static str = "own MongoDB (secantusd-py; set SECANTUSD_BIN if it is elsewhere)";
    const START_TIMEOUT: Duration = Duration::from_secs(30);

    fn command(port: u16, dir: &Path) -> Command {
        let mut command = Command::new(binary(
            "SECANTUSD_BIN",
            ".cache/orderflow/secantus-venv/bin/secantusd-py",
        ));
        command
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .arg("--storage-path")
            .arg(dir.join("data"))
            // Acknowledged writes must survive a kill.
            .arg("--sync-on-commit");
        command
    }
}

/// `secantusd-py` on a free port of 127.0.0.1.
pub struct MongoServer(ServerProcess<Secantus>);

impl MongoServer {
    pub fn start() -> Self {
        Self(ServerProcess::start("mongo"))
    }

    pub fn port(&self) -> u16 {
        self.0.port()
    }

    /// A URL of `database` on this server, with short server selection so that
    /// operations fail fast while it is down.
    pub fn url(&self, database: &str) -> String {
        format!(
            "mongodb://127.0.0.1:{}/{database}?directConnection=true&serverSelectionTimeoutMS=1000&heartbeatFrequencyMS=500",
            self.port()
        )
    }

    /// Kills it at once, as a crash would; acknowledged writes survive.
    pub fn kill(&mut self) {
        self.0.kill();
    }

    /// Stops it gracefully (SIGTERM; SecantusDB takes 1.5–3.5 s).
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
