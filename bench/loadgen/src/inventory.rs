//! `bench/inventory`: reservations per second and order → `reserved` latency through the
//! API, with orders spread over many SKUs and with every order on one hot SKU, at several
//! client counts. CLOSED loop: each client places its next order once its previous one has
//! settled (`reserved` or `rejected`), as observed in the orders database.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;
use hyper::{Method, StatusCode};
use rand::Rng;
use serde_json::json;
use sqlx::PgPool;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::api::Api;
use crate::pipeline::run_id;
use crate::report;
use crate::stock::{Stocker, GENEROUS};
use crate::Target;

#[derive(Args)]
pub struct Options {
    #[command(flatten)]
    pub target: Target,
    /// Client counts to run each case at, comma-separated.
    #[arg(long, default_value = "8,32", value_delimiter = ',')]
    pub clients: Vec<usize>,
    /// Seconds per case and client count.
    #[arg(long, default_value_t = 20)]
    pub seconds: u64,
    /// Distinct SKUs of the spread case.
    #[arg(long, default_value_t = 1000)]
    pub spread_skus: usize,
    /// How often the watcher reads the settled reservations from the orders database.
    #[arg(long, default_value_t = 5)]
    pub poll_ms: u64,
}

/// Where each order's single line goes.
#[derive(Clone, Copy)]
enum Case {
    Spread,
    Hot,
}

impl Case {
    fn name(self) -> &'static str {
        match self {
            Self::Spread => "spread",
            Self::Hot => "hot",
        }
    }
}

/// Orders waiting to settle: id → who to tell.
type Waiting = Arc<Mutex<HashMap<Uuid, oneshot::Sender<String>>>>;

pub async fn run(options: Options) -> anyhow::Result<()> {
    let api = Api::new(&options.target.api);
    let pg = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect(&options.target.database_url)
        .await
        .context("connecting to DATABASE_URL")?;
    let Some(stocker) = Stocker::login(&api, &options.target.admin).await? else {
        bail!("bench inventory needs an admin (BENCH_ADMIN_EMAIL, BENCH_ADMIN_PASSWORD) to create its stock");
    };
    let tokens = api
        .tokens(options.target.users, options.target.token_cache.as_deref())
        .await?;
    let run = run_id();
    let spread: Vec<String> = (0..options.spread_skus)
        .map(|n| format!("{run}-S{n:04}"))
        .collect();
    let hot = format!("{run}-HOT");
    stocker.stock(&spread, GENEROUS).await?;
    stocker.stock(std::slice::from_ref(&hot), GENEROUS).await?;
    println!(
        "load model: CLOSED loop, each client places its next order (1 line, qty 1) once the previous one is reserved or rejected in the orders database (polled every {} ms); {} s per run; {} users",
        options.poll_ms,
        options.seconds,
        tokens.len()
    );
    println!(
        "cases: spread = a SKU drawn uniformly from {} ({run}-S0000..), hot = every order on {hot}",
        options.spread_skus
    );

    report::header();
    let mut summary = Vec::new();
    for case in [Case::Spread, Case::Hot] {
        for &clients in &options.clients {
            let skus = match case {
                Case::Spread => spread.clone(),
                Case::Hot => vec![hot.clone()],
            };
            let result = run_case(&api, &pg, &tokens, &skus, clients, &options).await?;
            let mut latencies = result.latencies_ms.clone();
            report::row(
                &format!("{} {clients:>2} clients order→reserved", case.name()),
                &mut latencies,
            );
            summary.push((case, clients, result));
        }
    }
    println!();
    println!(
        "{:<24}{:>14}{:>10}{:>10}{:>10}",
        "case", "reserved/s", "rejected", "outside", "errors"
    );
    for (case, clients, result) in &summary {
        println!(
            "{:<24}{:>14.0}{:>10}{:>10}{:>10}",
            format!("{} {clients} clients", case.name()),
            result.reserved as f64 / result.elapsed.as_secs_f64(),
            result.rejected,
            result.outside,
            result.errors
        );
    }
    if summary.iter().any(|(_, _, r)| r.errors > 0) {
        println!("errors: POST /orders failed, or an order did not settle within 30 s");
    }
    if summary.iter().any(|(_, _, r)| r.outside > 0) {
        println!("WARNING: orders placed outside the saga (reservation none): the api runs with INVENTORY_SAGA_ENABLED=false, these numbers mean nothing");
    }
    println!("RESULT reserved_per_s {}", {
        summary
            .iter()
            .map(|(case, clients, r)| {
                format!(
                    "{}:{clients}={:.0}",
                    case.name(),
                    r.reserved as f64 / r.elapsed.as_secs_f64()
                )
            })
            .collect::<Vec<_>>()
            .join(",")
    });
    Ok(())
}

struct CaseResult {
    reserved: usize,
    rejected: usize,
    outside: usize,
    errors: usize,
    latencies_ms: Vec<f64>,
    elapsed: Duration,
}

async fn run_case(
    api: &Api,
    pg: &PgPool,
    tokens: &[String],
    skus: &[String],
    clients: usize,
    options: &Options,
) -> anyhow::Result<CaseResult> {
    let waiting: Waiting = Arc::default();
    let watcher = tokio::spawn(watch(
        pg.clone(),
        waiting.clone(),
        Duration::from_millis(options.poll_ms),
    ));
    let started = Instant::now();
    let deadline = started + Duration::from_secs(options.seconds);
    let tasks: Vec<_> = (0..clients)
        .map(|client| {
            let api = api.clone();
            let token = tokens[client % tokens.len()].clone();
            let skus = skus.to_vec();
            let waiting = waiting.clone();
            tokio::spawn(async move { client_loop(api, token, skus, waiting, deadline).await })
        })
        .collect();
    let mut result = CaseResult {
        reserved: 0,
        rejected: 0,
        outside: 0,
        errors: 0,
        latencies_ms: Vec::new(),
        elapsed: Duration::ZERO,
    };
    for task in tasks {
        let outcome = task.await?;
        result.reserved += outcome.reserved;
        result.rejected += outcome.rejected;
        result.outside += outcome.outside;
        result.errors += outcome.errors;
        result.latencies_ms.extend(outcome.latencies_ms);
    }
    result.elapsed = started.elapsed();
    watcher.abort();
    Ok(result)
}

#[derive(Default)]
struct ClientOutcome {
    reserved: usize,
    rejected: usize,
    outside: usize,
    errors: usize,
    latencies_ms: Vec<f64>,
}

/// Orders until `deadline`, one at a time; an order that does not settle within 30 s
/// counts as an error.
async fn client_loop(
    api: Api,
    token: String,
    skus: Vec<String>,
    waiting: Waiting,
    deadline: Instant,
) -> ClientOutcome {
    let mut outcome = ClientOutcome::default();
    while Instant::now() < deadline {
        let sku = skus[rand::thread_rng().gen_range(0..skus.len())].clone();
        let body = json!({"currency": "EUR", "items": [{"sku": sku, "qty": 1, "unit_price": 100}]});
        let sent = Instant::now();
        let answer = api
            .call(
                Method::POST,
                "/orders",
                Some(&token),
                Some(Uuid::new_v4()),
                Some(&body),
            )
            .await;
        let id = match answer {
            Ok(answer) if answer.status == StatusCode::CREATED => {
                answer.body["id"].as_str().and_then(|id| id.parse().ok())
            }
            _ => None,
        };
        let Some(id) = id else {
            outcome.errors += 1;
            continue;
        };
        let (tell, settled) = oneshot::channel();
        waiting.lock().expect("not poisoned").insert(id, tell);
        match tokio::time::timeout(Duration::from_secs(30), settled).await {
            Ok(Ok(state)) if state == "reserved" => {
                outcome.reserved += 1;
                outcome
                    .latencies_ms
                    .push(sent.elapsed().as_secs_f64() * 1000.0);
            }
            Ok(Ok(state)) if state == "rejected" => outcome.rejected += 1,
            // `none`: placed outside the saga (INVENTORY_SAGA_ENABLED=false).
            Ok(Ok(_)) => outcome.outside += 1,
            _ => {
                waiting.lock().expect("not poisoned").remove(&id);
                outcome.errors += 1;
            }
        }
    }
    outcome
}

/// Reads which waiting orders have settled, every `every`, and tells their clients.
async fn watch(pg: PgPool, waiting: Waiting, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        let ids: Vec<Uuid> = waiting
            .lock()
            .expect("not poisoned")
            .keys()
            .copied()
            .collect();
        if ids.is_empty() {
            continue;
        }
        let settled: Vec<(Uuid, String)> = match sqlx::query_as(
            "SELECT id, reservation FROM orders
              WHERE id = ANY($1) AND reservation <> 'pending'",
        )
        .bind(&ids)
        .fetch_all(&pg)
        .await
        {
            Ok(rows) => rows,
            Err(err) => {
                eprintln!("watcher: {err}");
                continue;
            }
        };
        let mut waiting = waiting.lock().expect("not poisoned");
        for (id, state) in settled {
            if let Some(tell) = waiting.remove(&id) {
                let _ = tell.send(state);
            }
        }
    }
}
