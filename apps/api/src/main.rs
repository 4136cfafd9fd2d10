use std::io::BufRead;
use std::process::ExitCode;

use anyhow::Context;
use api::auth::password::Password;
use api::auth::service::{self, CreatedByOperator, NewAccount};
use api::auth::Role;
use api::config::Config;
use api::AppState;
use clap::{Parser, Subcommand};
use platform::config::Env;

/// mimalloc instead of glibc's malloc: every login hashes with Argon2id in a 19 MiB block, and
/// glibc keeps such freed blocks in its per-thread arenas (its mmap threshold rises to the
/// largest freed size), so a few logins left the api at ~120 MB RSS for good (bench/http);
/// mimalloc gives huge blocks back to the OS.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Operator tasks on accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an account (an admin by default). The password comes from `ADMIN_PASSWORD`
    /// or, when that is unset, from the first line of stdin: never from the command line,
    /// where other users of the machine could read it. Needs only `DATABASE_URL`.
    /// An existing email is reported and left unchanged (exit 0 when its role matches).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "admin", value_parser = ["admin", "user"])]
        role: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    platform::telemetry::init_json_logs();
    let cli = Cli::parse();
    if let Some(Command::Admin {
        command: AdminCommand::Create { email, role },
    }) = cli.command
    {
        return admin_create(&email, &role).await;
    }
    let config = match Config::from_env(&Env::from_process()) {
        Ok(config) => config,
        Err(err) => {
            eprintln!("{err}");
            std::process::exit(2);
        }
    };
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await?,
        Command::Migrate { revert_all } => migrate(&config, revert_all).await?,
        Command::Admin { .. } => unreachable!("handled above"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Exit codes: 0 created or already there with the asked role, 1 an existing account with
/// another role (never promoted silently), 2 bad input or configuration.
async fn admin_create(email: &str, role: &str) -> anyhow::Result<ExitCode> {
    let role: Role = role.parse().map_err(anyhow::Error::msg)?;
    let Some(database_url) = std::env::var("DATABASE_URL").ok().filter(|v| !v.is_empty()) else {
        eprintln!("configuration error: DATABASE_URL is required but not set");
        return Ok(ExitCode::from(2));
    };
    let password = match std::env::var("ADMIN_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading the password from stdin")?;
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let account = match NewAccount::parse(email, Password::new(password), role) {
        Ok(account) => account,
        Err(problems) => {
            for problem in problems {
                eprintln!("{}: {}", problem.field, problem.message);
            }
            return Ok(ExitCode::from(2));
        }
    };
    let pool = sqlx::PgPool::connect(&database_url)
        .await
        .context("connecting to DATABASE_URL")?;
    match service::create_by_operator(&pool, account).await? {
        CreatedByOperator::Created(user) => {
            println!("created {} {} ({})", user.role, user.email, user.id);
            Ok(ExitCode::SUCCESS)
        }
        CreatedByOperator::Exists(user) if user.role == role => {
            println!(
                "{} {} already exists; left unchanged",
                user.role, user.email
            );
            Ok(ExitCode::SUCCESS)
        }
        CreatedByOperator::Exists(user) => {
            eprintln!(
                "{} already exists with role {}; refusing to change it to {role}",
                user.email, user.role
            );
            Ok(ExitCode::from(1))
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let bind_addr = config.bind_addr;
    let state = AppState::new(config)?;
    // The live hub reads the topics from now on; it retries in the background while the
    // broker is down, so this never fails the start.
    let live = state.live.clone();
    live.start();
    let app = api::router(state);
    let listener = tokio::net::TcpListener::bind(bind_addr)
        .await
        .with_context(|| format!("binding {bind_addr}"))?;
    tracing::info!(%bind_addr, "api listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        platform::shutdown::signal().await;
        // Live streams never end by themselves: end them, or the shutdown waits forever.
        live.shutdown();
    })
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
