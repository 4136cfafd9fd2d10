//! `outbox-worker`: configuration from the environment, JSON logs, `/metrics`, and the
//! relay loops until SIGTERM.

use std::process::ExitCode;
use std::time::Duration;

use outbox_worker::{Config, Worker};
use platform::config::Env;
use tokio::sync::watch;

#[tokio::main]
async fn main() -> ExitCode {
    platform::telemetry::init_json_logs();
    let config = match Config::from_env(&Env::from_process()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(?config, "outbox worker starting");
    let metrics_addr = config.metrics_addr;
    let worker = match Worker::new(config) {
        Ok(worker) => worker,
        Err(err) => {
            tracing::error!(error = %err, "cannot build the worker");
            return ExitCode::FAILURE;
        }
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        platform::shutdown::signal().await;
        let _ = stop_tx.send(true);
    });
    let ops_server = tokio::spawn(platform::ops::serve(metrics_addr, stopped(stop_rx.clone())));

    let result = worker.run(stopped(stop_rx.clone())).await;
    worker.flush(Duration::from_secs(5));
    if result.is_err() {
        // Already logged; a supervisor restarts the process with a fresh producer.
        return ExitCode::FAILURE;
    }
    match ops_server.await {
        Ok(Err(err)) => {
            tracing::error!(error = %err, "metrics server failed");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}

async fn stopped(mut stop: watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}
