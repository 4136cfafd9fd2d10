//! `bench/pipeline --rate R --seconds S`: open-loop load through the API and what the event
//! pipeline makes of it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use clap::Args;

use crate::api::Api;
use crate::observe::{qty_by_sku, Stack};
use crate::orders::{errors_by_status, expected_qty, open_loop, Mix, Planner};
use crate::report::{self, LagSampler};
use crate::Target;

#[derive(Args)]
pub struct Options {
    #[command(flatten)]
    pub target: Target,
    #[command(flatten)]
    pub mix: Mix,
    /// Orders per second (open loop: arrivals are fixed in time, whatever the answers).
    #[arg(long, default_value_t = 500.0)]
    pub rate: f64,
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
    /// Every n-th order's last item has a SKU of its own: its `sku_stats` document shows when
    /// that order became visible in /stats/sku.
    #[arg(long, default_value_t = 50)]
    pub probe_every: usize,
    /// Seconds between lag samples.
    #[arg(long, default_value_t = 2.0)]
    pub sample_seconds: f64,
    /// How long after the load to wait for the last probes.
    #[arg(long, default_value_t = 60)]
    pub wait_seconds: u64,
}

pub fn run_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..6].to_uppercase()
}

pub async fn run(options: Options) -> anyhow::Result<()> {
    let api = Api::new(&options.target.api);
    let stack = Arc::new(Stack::connect(&options.target).await?);
    let tokens = api
        .tokens(options.target.users, options.target.token_cache.as_deref())
        .await?;
    let run = run_id();
    let mut planner = Planner::new(&run, options.mix.clone(), options.probe_every);
    // Probe SKUs stay unstocked: with the saga on, probes are rejected (and still counted in
    // /stats/sku, which counts placed orders).
    crate::stock::stock_generously(&api, &options.target.admin, &planner.skus()).await?;
    println!(
        "load model: OPEN loop, fixed arrival rate {}/s for {} s, latency measured from each order's intended send time",
        options.rate, options.seconds
    );
    println!(
        "orders: {}; {} users; every {}th order is a probe (last item of a SKU of its own)",
        options.mix.describe(&run),
        tokens.len(),
        options.probe_every
    );
    println!(
        "consumer lag: committed group offsets vs end offsets from the broker (the stream job commits only on its 10 s checkpoints), and the stream job's own pendingRecords from Flink's Prometheus reporter ({})",
        options.target.flink_metrics
    );

    let sampler = LagSampler::start(
        stack.clone(),
        Duration::from_secs_f64(options.sample_seconds),
    );
    let visible = ProbeWatcher::start(stack.clone(), planner.probe_prefix());
    let started = Instant::now();
    let outcomes = open_loop(
        &api,
        &tokens,
        &mut planner,
        options.rate,
        Duration::from_secs(options.seconds),
    )
    .await;
    let sending = started.elapsed().as_secs_f64();

    let accepted: Vec<_> = outcomes.iter().filter(|o| o.accepted()).collect();
    let probes: HashMap<String, DateTime<Utc>> = accepted
        .iter()
        .filter_map(|o| Some((o.probe.clone()?, o.created_at?)))
        .collect();
    // Wait for the stragglers: every probe visible, or the deadline.
    let deadline = Instant::now() + Duration::from_secs(options.wait_seconds);
    while visible.seen() < probes.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    tokio::time::sleep(Duration::from_secs_f64(options.sample_seconds * 2.0)).await;
    let lags = sampler.stop();
    let seen = visible.stop();

    println!();
    println!(
        "sent {} orders in {sending:.1} s; accepted {} ({:.1}/s), errors {} {:?}",
        outcomes.len(),
        accepted.len(),
        accepted.len() as f64 / sending,
        outcomes.len() - accepted.len(),
        errors_by_status(&outcomes)
    );
    let mut http: Vec<f64> = outcomes
        .iter()
        .map(|o| o.latency.as_secs_f64() * 1000.0)
        .collect();
    let (mut outbox, pending) = match (
        accepted.iter().filter_map(|o| o.created_at).min(),
        accepted.iter().filter_map(|o| o.created_at).max(),
    ) {
        (Some(first), Some(last)) => {
            stack
                .outbox_lags(
                    first - chrono::Duration::seconds(1),
                    last + chrono::Duration::seconds(1),
                )
                .await?
        }
        _ => (Vec::new(), 0),
    };
    let mut visible_ms = Vec::new();
    let mut by_poll = 0;
    for (sku, created_at) in &probes {
        if let Some(&(first_seen, updated_at)) = seen.get(sku) {
            if updated_at.is_none() {
                by_poll += 1;
            }
            let at = updated_at.unwrap_or(first_seen);
            visible_ms.push((at - *created_at).num_milliseconds() as f64);
        }
    }
    report::header();
    report::row("HTTP POST /orders (from intended send)", &mut http);
    report::row("outbox lag (published_at - created_at)", &mut outbox);
    report::row("order -> visible in /stats/sku", &mut visible_ms);
    println!(
        "  outbox rows still pending: {pending}; probes visible {} of {} within {} s of the end of the load{}",
        visible_ms.len(),
        probes.len(),
        options.wait_seconds,
        if by_poll > 0 {
            format!(" ({by_poll} timed by polling every second: no updated_at)")
        } else {
            " (visible at sku_stats.updated_at)".to_owned()
        }
    );
    let expected = expected_qty(&outcomes);
    let stored = qty_by_sku(&stack.sku_stats(&planner.sku_prefix()).await?);
    let probe_prefix = planner.probe_prefix();
    let regular: Vec<_> = expected
        .keys()
        .filter(|sku| !sku.starts_with(&probe_prefix))
        .collect();
    let exact = regular
        .iter()
        .filter(|sku| stored.get(**sku) == expected.get(**sku))
        .count();
    println!(
        "  sku_stats qty_sum equals the accepted orders' for {exact} of {} SKUs at the end",
        regular.len()
    );
    println!();
    println!(
        "consumer lag over time (messages; sampled every {} s):",
        options.sample_seconds
    );
    report::print_lags(&lags);
    Ok(())
}

/// Probe SKU → (first seen by polling, its `updated_at`).
type Seen = HashMap<String, (DateTime<Utc>, Option<DateTime<Utc>>)>;

/// Polls `sku_stats` for the probes' SKUs once a second (gently: the MongoDB-protocol server
/// is the projector's bottleneck): when each was first seen, and its `updated_at`.
struct ProbeWatcher {
    seen: Arc<Mutex<Seen>>,
    task: tokio::task::JoinHandle<()>,
}

impl ProbeWatcher {
    fn start(stack: Arc<Stack>, prefix: String) -> Self {
        let seen = Arc::new(Mutex::new(HashMap::new()));
        let sink = seen.clone();
        let task = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let Ok(docs) = stack.sku_stats(&prefix).await else {
                    continue;
                };
                let now = Utc::now();
                let mut seen = sink.lock().expect("probes");
                for doc in docs {
                    seen.entry(doc.sku).or_insert((now, doc.updated_at));
                }
            }
        });
        Self { seen, task }
    }

    fn seen(&self) -> usize {
        self.seen.lock().expect("probes").len()
    }

    fn stop(self) -> Seen {
        self.task.abort();
        let seen = self.seen.lock().expect("probes").clone();
        seen
    }
}
