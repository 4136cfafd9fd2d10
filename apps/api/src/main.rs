use anyhow::Context;
use api::config::Config;
use api::AppState;
use clap::{Parser, Subcommand};
use platform::config::Env;

#[derive(Parser)]
#[command(name = "api", about = "The orderflow REST API")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply pending database migrations, or revert them all.
    Migrate {
        /// Revert every applied migration instead (down to an empty schema).
        #[arg(long)]
        revert_all: bool,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    platform::telemetry::init_json_logs();
    let cli = Cli::parse();
    let config = match Config::from_env(&Env::from_process()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate { revert_all } => migrate(&config, revert_all).await,
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bind_addr = config.bind_addr;
    let state = AppState::new(config)?;
    let app = api::router(state);
    let listener = tokio::net::TcpListener::bind(bind_addr)
        .await
        .with_context(|| format!("binding {bind_addr}"))?;
    tracing::info!(%bind_addr, "api listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(platform::shutdown::signal())
    .await?;
    tracing::info!("api stopped");
    Ok(())
}

async fn migrate(config: &Config, revert_all: bool) -> anyhow::Result<()> {
    let pool = sqlx::PgPool::connect(config.database_url.expose())
        .await
        .context("connecting to DATABASE_URL")?;
    if revert_all {
        platform::db::MIGRATOR.undo(&pool, 0).await?;
        tracing::info!("all migrations reverted");
    } else {
        platform::db::MIGRATOR.run(&pool).await?;
        tracing::info!("migrations applied");
    }
    Ok(())
}
