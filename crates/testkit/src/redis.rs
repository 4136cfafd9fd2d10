//! A Redis server of the test's own, so stopping it disturbs no other test (the stack's
//! Redis must stay up). No persistence: a restarted server starts empty.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::process::{Launch, ServerProcess};

struct Redis;

impl Launch for Redis {
    const WHAT: &'static str = "own redis-server (scripts/stack up installs it)";
    const START_TIMEOUT: Duration = Duration::from_secs(10);

    fn command(port: u16, dir: &Path) -> Command {
        let mut command = Command::new("redis-server");
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .current_dir(dir);
        command
    }
}

/// `redis-server` on a free port of 127.0.0.1.
pub struct RedisServer(ServerProcess<Redis>);

impl RedisServer {
    pub fn start() -> Self {
        Self(ServerProcess::start("redis"))
    }

    pub fn port(&self) -> u16 {
        self.0.port()
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port())
    }

    /// Kills it at once, as a crash would.
    pub fn kill(&mut self) {
        self.0.kill();
    }

    /// Stops it gracefully (SIGTERM).
    pub fn stop(&mut self) {
        self.0.stop();
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        self.0.restart();
    }

    pub fn is_running(&mut self) -> bool {
        self.0.is_running()
    }
}
