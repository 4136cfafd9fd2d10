//! `bench/pipeline --burst N`: a backlog of N outbox rows built while the outbox worker is
//! stopped (orders placed through the API, so the rows are exactly what the API writes), then
//! the worker's drain rate and the time until the read model has caught up, beside the
//! MongoDB-protocol server's own insert_many rate measured in the same run.

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use clap::Args;

use crate::api::Api;
use crate::observe::{qty_by_sku, Stack};
use crate::orders::{closed_loop, errors_by_status, expected_qty, Mix, Planner};
use crate::pipeline::run_id;
use crate::Target;

#[derive(Args)]
pub struct Options {
    #[command(flatten)]
    pub target: Target,
    #[command(flatten)]
    pub mix: Mix,
    /// Orders (= pending outbox rows) to pile up.
    #[arg(long)]
    pub orders: usize,
    /// Concurrent clients placing them (closed loop).
    #[arg(long, default_value_t = 32)]
    pub clients: usize,
    /// `scripts/stack`, used to stop and start the outbox worker.
    #[arg(long, default_value = "scripts/stack")]
    pub stack_cmd: PathBuf,
    /// Batches of 1,000 documents for the server's own insert_many rate.
    #[arg(long, default_value_t = 20)]
    pub insert_many_batches: usize,
    /// Give up waiting for the read model after this long.
    #[arg(long, default_value_t = 900)]
    pub timeout_seconds: u64,
}

fn stack(cmd: &PathBuf, action: &str) -> anyhow::Result<()> {
    let status = Command::new(cmd)
        .args([action, "outbox-worker"])
        .status()
        .with_context(|| format!("running {} {action} outbox-worker", cmd.display()))?;
    if !status.success() {
        bail!("{} {action} outbox-worker failed: {status}", cmd.display());
    }
    Ok(())
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let api = Api::new(&options.target.api);
    let db = Stack::connect(&options.target).await?;
    let tokens = api
        .tokens(options.target.users, options.target.token_cache.as_deref())
        .await?;
    let run = run_id();
    let mut planner = Planner::new(&run, options.mix.clone(), 0);
    crate::stock::stock_generously(&api, &options.target.admin, &planner.skus()).await?;
    println!(
        "load model: CLOSED loop, {} clients place {} orders through the API while the outbox worker is stopped; then the worker drains the backlog",
        options.clients, options.orders
    );
    println!(
        "orders: {}; {} users",
        options.mix.describe(&run),
        tokens.len()
    );
    let already_pending = db.outbox_pending().await?;
    if already_pending > 0 {
        println!("note: {already_pending} outbox rows were pending before the burst");
    }

    stack(&options.stack_cmd, "stop")?;
    let burst_start = chrono::Utc::now() - chrono::Duration::seconds(1);
    let placing = Instant::now();
    let outcomes = closed_loop(&api, &tokens, &mut planner, options.orders, options.clients).await;
    let placing = placing.elapsed().as_secs_f64();
    let accepted = outcomes.iter().filter(|o| o.accepted()).count();
    println!(
        "placed {accepted} orders in {placing:.1} s ({:.0}/s), errors {} {:?}",
        accepted as f64 / placing,
        outcomes.len() - accepted,
        errors_by_status(&outcomes)
    );
    let measured = async {
        let pending = db.outbox_pending().await?;
        let expected_events = db.outbox_created_since(burst_start).await?;
        // The server's own bulk rate, measured now: the pipeline is idle (worker stopped).
        let insert_many = db.insert_many_rate(options.insert_many_batches).await?;
        anyhow::Ok((pending, expected_events, insert_many))
    }
    .await;
    let restart = Instant::now();
    stack(&options.stack_cmd, "start")?;
    let (pending, expected_events, insert_many) = measured?;
    let events_before = db.order_events_since(burst_start).await?;
    println!(
        "backlog: {pending} pending outbox rows; MongoDB-protocol server insert_many (batches of 1,000 order_events-like documents, same indexes, scratch database, pipeline idle): {insert_many:.0} docs/s"
    );

    // Drain: until nothing is pending (or only what was pending before the burst).
    let deadline = restart + Duration::from_secs(options.timeout_seconds);
    let mut first_publish = None;
    let mut remaining = pending;
    while remaining > already_pending && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        remaining = db.outbox_pending().await?;
        if first_publish.is_none() && remaining < pending {
            first_publish = Some(restart.elapsed().as_secs_f64());
        }
    }
    let drained = restart.elapsed().as_secs_f64();
    let published = pending - remaining;
    println!(
        "drain: {published} events in {drained:.1} s after `stack start` = {:.0} events/s ({:.0}/s from the first publish at {:.1} s); {remaining} still pending",
        published as f64 / drained,
        published as f64 / (drained - first_publish.unwrap_or(0.0)).max(0.001),
        first_publish.unwrap_or(f64::NAN)
    );

    // Catch-up: order_events holds every event, sku_stats adds up to the accepted orders.
    let expected_qty = expected_qty(&outcomes);
    let mut events_done = None;
    let mut stats_done = None;
    let mut first_event = None;
    let mut events = events_before;
    while (events_done.is_none() || stats_done.is_none()) && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = restart.elapsed().as_secs_f64();
        if events_done.is_none() {
            events = db.order_events_since(burst_start).await?;
            if first_event.is_none() && events > events_before {
                first_event = Some(now);
            }
            if events as i64 >= expected_events {
                events_done = Some(now);
            }
        }
        if stats_done.is_none() {
            let stored = qty_by_sku(&db.sku_stats(&planner.sku_prefix()).await?);
            if expected_qty
                .iter()
                .all(|(sku, qty)| stored.get(sku) == Some(qty))
            {
                stats_done = Some(now);
            }
        }
    }
    let after_drain = |t: Option<f64>| {
        t.map_or_else(
            || "not within the timeout".to_owned(),
            |t| format!("{:.1} s after the drain finished", (t - drained).max(0.0)),
        )
    };
    println!(
        "read model: order_events complete {}; sku_stats exact {}",
        after_drain(events_done),
        after_drain(stats_done)
    );
    if let (Some(first), Some(done)) = (first_event, events_done) {
        let projector = (events - events_before) as f64 / (done - first).max(0.001);
        println!(
            "projector: {} order_events documents in {:.1} s = {projector:.0} docs/s; insert_many {insert_many:.0} docs/s; ratio {:.2}",
            events - events_before,
            done - first,
            projector / insert_many
        );
    }
    Ok(())
}
