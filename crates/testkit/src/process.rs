//! A server process of a test's own: spawned, awaited on its port, stopped or killed, and
//! never left behind (`Drop` kills it and removes its directory).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How to start one kind of server; the launchers in this crate implement it.
pub(crate) trait Launch {
    /// Name used in panics ("own broker did not start").
    const WHAT: &'static str;
    /// How long a start may take before the test fails.
    const START_TIMEOUT: Duration;
    /// The command that starts the server on `port`, keeping its data under `dir`.
    fn command(port: u16, dir: &Path) -> Command;
}

/// A running (or stopped) server on a fixed port with a data directory that outlives
/// restarts, so a restarted server finds what the stopped one stored.
pub(crate) struct ServerProcess<L: Launch> {
    port: u16,
    dir: PathBuf,
    child: Option<Child>,
    launch: std::marker::PhantomData<L>,
}

impl<L: Launch> ServerProcess<L> {
    pub(crate) fn start(dir_prefix: &str) -> Self {
        let dir = std::env::temp_dir().join(crate::unique_name(dir_prefix));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut server = Self {
            port: crate::free_port(),
            dir,
            child: None,
            launch: std::marker::PhantomData,
        };
        server.restart();
        server
    }

    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// Starts the server again on the same port and directory (stopping it first if it
    /// still runs); returns once the port accepts connections.
    pub(crate) fn restart(&mut self) {
        self.kill();
        let mut command = L::command(self.port, &self.dir);
        command.stdout(Stdio::null()).stderr(Stdio::null());
        let mut child = command
            .spawn()
            .unwrap_or_else(|err| panic!("{} starts: {err}", L::WHAT));
        let deadline = Instant::now() + L::START_TIMEOUT;
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = child.try_wait() {
                panic!("{} exited while starting: {status}", L::WHAT);
            }
            assert!(Instant::now() < deadline, "{} did not start", L::WHAT);
            std::thread::sleep(Duration::from_millis(50));
        }
        self.child = Some(child);
    }

    /// Kills the server at once (SIGKILL), as a crash would; a no-op when not running.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the server gracefully (SIGTERM), killing it if it has not exited after 10 s.
    pub(crate) fn stop(&mut self) {
        let Some(child) = self.child.as_mut() else {
            return;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = child.try_wait() {
                self.child = None;
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill();
    }

    pub(crate) fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|child| matches!(child.try_wait(), Ok(None)))
    }
}

impl<L: Launch> Drop for ServerProcess<L> {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A binary from the environment variable `variable`, else `~/<default_under_home>`.
pub(crate) fn binary(variable: &str, default_under_home: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_else(|_| "/root".to_owned());
        format!("{home}/{default_under_home}")
    })
}
