//! `order-saga`: configuration from the environment, JSON logs, `/metrics` and `/healthz`,
//! and the consumer and sweeper until SIGTERM.

use std::process::ExitCode;

use order_saga::{Config, OrderSaga};
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
    tracing::info!(?config, "order saga starting");
    let metrics_addr = config.metrics_addr;
    // Installs the Prometheus recorder before the loops record anything.
    platform::telemetry::prometheus();
    let saga = match OrderSaga::new(config) {
        Ok(saga) => saga,
        Err(err) => {
            tracing::error!(error = %err, "cannot build the order saga");
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

    let result = saga.run(stop_rx).await;
    if result.is_err() {
        // No stop signal will come: end the ops server too.
        ops_server.abort();
    }
    let ops_result = ops_server.await;
    match (result, ops_result) {
        (Err(err), _) => {
            tracing::error!(error = %err, "order saga failed");
            ExitCode::FAILURE
        }
        (_, Ok(Err(err))) => {
            tracing::error!(error = %err, "metrics server failed");
            ExitCode::FAILURE
        }
        _ => ExitCode::SUCCESS,
    }
}
