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
    /// Batches of 1,000 documents for the server's own insert_many rate (each way).
    #[arg(long, default_value_t = 20)]
    pub insert_many_batches: usize,
    /// The outbox worker's Prometheus endpoint (its progress, without polling the backlog).
    #[arg(
        long,
        env = "BENCH_WORKER_METRICS_URL",
        default_value = "http://127.0.0.1:9101/metrics"
    )]
    pub worker_metrics: String,
    /// The projector's Prometheus endpoint (its progress, without counting in MongoDB).
    #[arg(
        long,
        env = "BENCH_PROJECTOR_METRICS_URL",
        default_value = "http://127.0.0.1:9102/metrics"
    )]
    pub projector_metrics: String,
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
        let small_documents = db
            .small_document_insert_many_rate(options.insert_many_batches)
            .await?;
        let events_before = db.order_events_since(burst_start).await?;
        anyhow::Ok((
            pending,
            expected_events,
            insert_many,
            small_documents,
            events_before,
        ))
    }
    .await;
    let projector_before = db
        .counter(
            &options.projector_metrics,
            PROJECTOR_WRITTEN,
            EVENTS_COLLECTION,
        )
        .await;
    let restart = Instant::now();
    stack(&options.stack_cmd, "start")?;
    let (pending, expected_events, insert_many, small_documents, events_before) = measured?;
    println!(
        "backlog: {pending} pending outbox rows; MongoDB-protocol server insert_many (pipeline idle, scratch database, the read model's indexes, batches of 1,000 of the projector's own order_events documents through its own unordered insert): {insert_many:.0} docs/s (ordered, of the smaller hand-built documents used until 2026-11-26: {small_documents:.0} docs/s)"
    );

    // Progress from the services' own counters (their /metrics), sampled every 200 ms from
    // the worker's start; each milestone is confirmed once by an exact count. Polling
    // count(*) over the backlog on PostgreSQL and count_documents on the single-threaded
    // MongoDB-protocol server every few hundred ms would take CPU from what is measured.
    let expected_qty = expected_qty(&outcomes);
    let deadline = restart + Duration::from_secs(options.timeout_seconds);
    let mut progress = Progress::default();
    let mut next_exact_check = Instant::now();
    while !progress.finished() && Instant::now() < deadline {
        tokio::time::sleep(SAMPLE_EVERY).await;
        let now = restart.elapsed().as_secs_f64();
        let exact_due = Instant::now() >= next_exact_check;
        if exact_due {
            next_exact_check = Instant::now() + EXACT_CHECK_EVERY;
        }
        if progress.drained.is_none() {
            let published = db
                .counter(&options.worker_metrics, WORKER_PUBLISHED, ORDERS_OUTBOX)
                .await;
            if progress.first_publish.is_none() && published.is_some_and(|p| p > 0.0) {
                progress.first_publish = Some(now);
            }
            // Without the counter (or once it says done): the exact count decides.
            let maybe_done =
                published.map_or(exact_due, |p| p >= (pending - already_pending) as f64);
            if maybe_done {
                let remaining = db.outbox_pending().await?;
                if progress.first_publish.is_none() && remaining < pending {
                    progress.first_publish = Some(now);
                }
                if remaining <= already_pending {
                    progress.drained = Some(now);
                }
            }
        }
        if progress.events_done.is_none() {
            // A negative delta: the projector restarted (its counter too); count instead.
            let written = db
                .counter(
                    &options.projector_metrics,
                    PROJECTOR_WRITTEN,
                    EVENTS_COLLECTION,
                )
                .await
                .map(|now_written| now_written - projector_before.unwrap_or(0.0))
                .filter(|written| *written >= 0.0);
            if let Some(written) = written {
                if progress.first_event.is_none() && written > 0.0 {
                    progress.first_event = Some(now);
                }
                if progress.drained.is_some() && progress.written_at_drain.is_none() {
                    progress.written_at_drain = Some((now, written));
                }
            }
            let maybe_done = written.map_or(exact_due, |w| {
                w >= (expected_events - events_before as i64) as f64
            });
            // The exact count once the counter says done, then at most every second.
            if maybe_done && (exact_due || !progress.events_confirm_tried) {
                progress.events_confirm_tried = true;
                let events = db.order_events_since(burst_start).await?;
                if progress.first_event.is_none() && events > events_before {
                    progress.first_event = Some(now);
                }
                if events as i64 >= expected_events {
                    progress.events_done = Some(now);
                    progress.events = events - events_before;
                }
            }
        }
        if progress.stats_done.is_none() && exact_due {
            let stored = qty_by_sku(&db.sku_stats(&planner.sku_prefix()).await?);
            if expected_qty
                .iter()
                .all(|(sku, qty)| stored.get(sku) == Some(qty))
            {
                progress.stats_done = Some(now);
            }
        }
    }
    progress.report(pending, already_pending, insert_many);
    Ok(())
}

/// How often the services' counters are sampled.
const SAMPLE_EVERY: Duration = Duration::from_millis(200);
/// How often the exact counts are taken while a counter is unavailable, and `sku_stats` checked.
const EXACT_CHECK_EVERY: Duration = Duration::from_secs(1);
const WORKER_PUBLISHED: &str = "outbox_published_total";
const ORDERS_OUTBOX: &str = "outbox=\"orders\"";
const PROJECTOR_WRITTEN: &str = "projector_written_total";
const EVENTS_COLLECTION: &str = "collection=\"order_events\"";
/// A projector window shorter than this gives no meaningful rate.
const MIN_RATE_WINDOW: f64 = 1.0;

/// Milestones of the drain and the catch-up, in seconds since `stack start outbox-worker`.
#[derive(Default)]
struct Progress {
    first_publish: Option<f64>,
    drained: Option<f64>,
    first_event: Option<f64>,
    /// The projector's count of written `order_events` at the first sample after the drain.
    written_at_drain: Option<(f64, f64)>,
    events_done: Option<f64>,
    events_confirm_tried: bool,
    /// `order_events` documents of the burst, exactly counted when complete.
    events: u64,
    stats_done: Option<f64>,
}

impl Progress {
    fn finished(&self) -> bool {
        self.drained.is_some() && self.events_done.is_some() && self.stats_done.is_some()
    }

    fn report(&self, pending: i64, already_pending: i64, insert_many: f64) {
        let Some(drained) = self.drained else {
            println!("drain: not finished within the timeout ({pending} rows were pending)");
            return;
        };
        let published = pending - already_pending;
        let first = self.first_publish.unwrap_or(0.0);
        println!(
            "drain: {published} events in {drained:.1} s after `stack start` = {:.0} events/s ({:.0}/s from the first publish at {first:.1} s)",
            published as f64 / drained,
            published as f64 / (drained - first).max(0.001),
        );
        let after_drain = |t: Option<f64>| {
            t.map_or_else(
                || "not within the timeout".to_owned(),
                |t| format!("{:.1} s after the drain finished", (t - drained).max(0.0)),
            )
        };
        println!(
            "read model: order_events complete {}; sku_stats exact {}",
            after_drain(self.events_done),
            after_drain(self.stats_done)
        );
        let (Some(first), Some(done)) = (self.first_event, self.events_done) else {
            return;
        };
        match ProjectorRate::of(self.events, first, done, drained) {
            ProjectorRate::TooShort { window } => println!(
                "projector: {} order_events documents within {window:.1} s: too short a window for a rate (insert_many {insert_many:.0} docs/s)",
                self.events
            ),
            ProjectorRate::Measured {
                window,
                docs_per_second,
                kept_pace,
            } => println!(
                "projector: {} order_events documents in {window:.1} s (first write to complete) = {docs_per_second:.0} docs/s; insert_many {insert_many:.0} docs/s; ratio {:.2}{}",
                self.events,
                docs_per_second / insert_many,
                if kept_pace {
                    " (it kept pace with the drain, which bounds it: a lower bound)"
                } else {
                    ""
                }
            ),
        }
        if let Some((at, written)) = self.written_at_drain {
            let rest = self.events as f64 - written;
            if done - at >= MIN_RATE_WINDOW && rest > 0.0 {
                println!(
                    "projector after the drain (the worker idle): {rest:.0} documents in {:.1} s = {:.0} docs/s",
                    done - at,
                    rest / (done - at)
                );
            }
        }
    }
}

/// The projector's rate over the window in which it wrote the burst: from its first write to
/// the moment `order_events` was complete (seconds since the worker's start).
#[derive(Debug, PartialEq)]
enum ProjectorRate {
    TooShort {
        window: f64,
    },
    Measured {
        window: f64,
        docs_per_second: f64,
        /// Done within a sample or so of the drain: the supply, not the projector, set the pace.
        kept_pace: bool,
    },
}

impl ProjectorRate {
    fn of(documents: u64, first_write: f64, complete: f64, drained: f64) -> Self {
        let window = complete - first_write;
        if window < MIN_RATE_WINDOW {
            return Self::TooShort { window };
        }
        Self::Measured {
            window,
            docs_per_second: documents as f64 / window,
            kept_pace: complete - drained <= MIN_RATE_WINDOW,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_model_complete_at_once_gives_no_rate() {
        assert_eq!(
            ProjectorRate::of(100_000, 30.0, 30.0, 30.0),
            ProjectorRate::TooShort { window: 0.0 }
        );
    }

    #[test]
    fn the_rate_is_taken_from_the_first_write_to_completion() {
        assert_eq!(
            ProjectorRate::of(100_000, 2.0, 52.0, 25.0),
            ProjectorRate::Measured {
                window: 50.0,
                docs_per_second: 2_000.0,
                kept_pace: false
            }
        );
        let ProjectorRate::Measured { kept_pace, .. } = ProjectorRate::of(50_000, 1.0, 20.5, 20.0)
        else {
            panic!("a 19.5 s window has a rate");
        };
        assert!(kept_pace, "done 0.5 s after the drain: it kept pace");
    }
}
