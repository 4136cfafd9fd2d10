//! `orderflow-bench`: load through the API and measurements of the event pipeline, for
//! `bench/pipeline` (numbers printed, never asserted). It reads the stack's environment
//! (`DATABASE_URL`, `MONGODB_URL`, `KAFKA_BROKERS`: `bench/pipeline` sources `stack.env`).
//!
//! One thread (a current-thread runtime): the machine has two cores and the stack needs them.

mod api;
mod burst;
mod inventory;
mod observe;
mod orders;
mod pipeline;
mod report;
mod stock;

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "orderflow-bench",
    about = "Benchmarks of the running orderflow stack"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Open-loop load at a fixed arrival rate, then the pipeline's latencies and lags.
    Pipeline(pipeline::Options),
    /// N pending outbox rows while the worker is stopped, then its drain rate and the time
    /// until the read model has caught up, beside the MongoDB server's own insert_many rate.
    Burst(burst::Options),
    /// Closed-loop order → reserved through the API, spread over many SKUs and on one hot
    /// SKU, at several client counts (bench/inventory runs pgbench beside it).
    Inventory(inventory::Options),
    /// Prints shell assignments for bench/http: TOKENS (one per user), ORDER_ID (an order of
    /// the first user, placed now) and USER_ID (its owner).
    Session(Target),
}

/// What every command needs to reach the stack.
#[derive(Args, Clone)]
pub struct Target {
    /// Base URL of the API.
    #[arg(long, env = "BENCH_API_URL", default_value = "http://127.0.0.1:8000")]
    pub api: String,
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    #[arg(long, env = "MONGODB_URL")]
    pub mongodb_url: String,
    #[arg(long, env = "KAFKA_BROKERS")]
    pub kafka_brokers: String,
    /// The Flink TaskManager's Prometheus reporter (the stream job's own source lag).
    #[arg(
        long,
        env = "BENCH_FLINK_METRICS_URL",
        default_value = "http://127.0.0.1:9250/metrics"
    )]
    pub flink_metrics: String,
    /// Users the orders are spread over (each logs in once; logins are limited per minute).
    #[arg(long, default_value_t = 8)]
    pub users: usize,
    /// Access tokens are kept here between runs (they live 15 minutes) to spare logins.
    #[arg(long, env = "BENCH_TOKEN_CACHE")]
    pub token_cache: Option<PathBuf>,
    #[command(flatten)]
    pub admin: stock::Admin,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Pipeline(options) => pipeline::run(options).await,
        Command::Burst(options) => burst::run(options).await,
        Command::Inventory(options) => inventory::run(options).await,
        Command::Session(target) => session(target).await,
    }
}

async fn session(target: Target) -> anyhow::Result<()> {
    let api = api::Api::new(&target.api);
    let tokens = api
        .tokens(target.users, target.token_cache.as_deref())
        .await?;
    let mut planner = orders::Planner::new(&pipeline::run_id(), orders::Mix::default(), 0);
    // bench/http's wrk script orders WRK-00..49 (bench/http.d/post-orders.lua).
    let mut skus = planner.skus();
    skus.extend((0..50).map(|n| format!("WRK-{n:02}")));
    stock::stock_generously(&api, &target.admin, &skus).await?;
    let order = planner.next();
    let answer = api
        .call(
            hyper::Method::POST,
            "/orders",
            Some(&tokens[0]),
            Some(uuid::Uuid::new_v4()),
            Some(&order.body),
        )
        .await?;
    anyhow::ensure!(
        answer.status == hyper::StatusCode::CREATED,
        "POST /orders: HTTP {} {}",
        answer.status,
        answer.body
    );
    println!("TOKENS='{}'", tokens.join(" "));
    println!(
        "ORDER_ID={}",
        answer.body["id"].as_str().unwrap_or_default()
    );
    println!(
        "USER_ID={}",
        answer.body["user_id"].as_str().unwrap_or_default()
    );
    Ok(())
}
