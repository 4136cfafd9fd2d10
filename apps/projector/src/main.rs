//! `projector`: configuration from the environment, JSON logs, `/metrics`, and the
//! consume loop until SIGTERM.

use std::process::ExitCode;

use platform::config::Env;
use projector::{Config, Projector};
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
    tracing::info!(?config, "projector starting");
    let metrics_addr = config.metrics_addr;
    let projector = match Projector::new(config).await {
        Ok(projector) => projector,
        Err(err) => {
            tracing::error!(error = %err, "cannot build the projector");
            return ExitCode::FAILURE;
        }
    };

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        platform::shutdown::signal().await;
        let _ = stop_tx.send(true);
    });
    let mut ops_stop = stop_rx.clone();
    let ops_server = tokio::spawn(platform::ops::serve(metrics_addr, async move {
        let _ = ops_stop.wait_for(|stop| *stop).await;
    }));

    let result = projector.run(stop_rx).await;
    let ops_result = ops_server.await;
    match (result, ops_result) {
        (Err(err), _) => {
            tracing::error!(error = %err, "projector failed");
            ExitCode::FAILURE
        }
        (_, Ok(Err(err))) => {
            tracing::error!(error = %err, "metrics server failed");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
