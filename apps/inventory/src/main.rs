//! `inventory`: serve the internal HTTP API and run the saga consumer (the default), or
//! `inventory migrate [--revert-all]` on its own database.

use std::process::ExitCode;

use access_token::JwtKeys;
use anyhow::Context;
use clap::{Parser, Subcommand};
use inventory::saga::consumer::ConsumerSettings;
use inventory::saga::SagaConsumer;
use inventory::{AppState, Config};
use platform::config::Env;
use tokio::sync::watch;

#[derive(Parser)]
#[command(name = "inventory", about = "The orderflow inventory service")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API and consume orders.events (the default).
    Serve,
    /// Apply pending migrations to the inventory database, or revert them all.
    Migrate {
        /// Revert every applied migration instead (down to an empty schema).
        #[arg(long)]
        revert_all: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    platform::telemetry::init_json_logs();
    let cli = Cli::parse();
    let env = Env::from_process();
    if let Some(Command::Migrate { revert_all }) = cli.command {
        // Needs only the database: the stack migrates before the rest is configured.
        let database_url = match env.url("DATABASE_URL", &["postgres://", "postgresql://"]) {
            Ok(url) => url.to_owned(),
            Err(err) => {
                eprintln!("{err}");
                return Ok(ExitCode::from(2));
            }
        };
        migrate(&database_url, revert_all).await?;
        return Ok(ExitCode::SUCCESS);
    }
    let config = match Config::from_env(&env) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            return Ok(ExitCode::from(2));
        }
    };
    serve(config).await?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: Config) -> anyhow::Result<()> {
    tracing::info!(?config, "inventory starting");
    // Lazy: the service starts while PostgreSQL is still coming up and reports it on
    // /healthz; the consumer retries until it answers.
    let db = platform::db::lazy_pool(&config.database_url, config.database_max_connections)
        .context("DATABASE_URL")?;
    let state = AppState {
        db: db.clone(),
        jwt: JwtKeys::new(config.jwt_secret.as_bytes(), 0),
        metrics: platform::telemetry::prometheus(),
    };
    let consumer =
        SagaConsumer::new(ConsumerSettings::from(&config), db).context("KAFKA_BROKERS")?;

    let (stop_tx, stop_rx) = watch::channel(false);
    tokio::spawn(async move {
        platform::shutdown::signal().await;
        let _ = stop_tx.send(true);
    });
    let listener = tokio::net::TcpListener::bind(config.bind_addr)
        .await
        .with_context(|| format!("binding {}", config.bind_addr))?;
    tracing::info!(bind_addr = %config.bind_addr, "inventory listening");
    let mut http_stop = stop_rx.clone();
    let http = tokio::spawn(async move {
        axum::serve(listener, inventory::router(state))
            .with_graceful_shutdown(async move {
                let _ = http_stop.wait_for(|stop| *stop).await;
            })
            .await
    });
    let consumed = consumer.run(stop_rx).await;
    let served = http.await;
    consumed.context("saga consumer")?;
    served.context("http server")?.context("http server")?;
    tracing::info!("inventory stopped");
    Ok(())
}

async fn migrate(database_url: &str, revert_all: bool) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(database_url)
        .await
        .context("connecting to DATABASE_URL")?;
    if revert_all {
        inventory::MIGRATOR.undo(&pool, 0).await?;
        tracing::info!("all migrations reverted");
    } else {
        inventory::MIGRATOR.run(&pool).await?;
        tracing::info!("migrations applied");
    }
    Ok(())
}
